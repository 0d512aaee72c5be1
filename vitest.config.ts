import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One Prism mock on a free port for the whole run; tests read its URL with inject("mockBaseUrl").
    globalSetup: ["test/mock/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
