import { defineConfig } from "vitest/config";

// With REDIS_URL set (.ci/run starts Redis and sets it), the sandbox's behaviour tests run a
// second time with the sandbox on the Redis store, so every rule they check holds on both stores.
const redisUrl = process.env.REDIS_URL;
const SANDBOX_BEHAVIOUR = ["pay", "capture-cancel", "notifications", "protocol", "flows"].map((name) => `test/sandbox/${name}.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["test/**/*.test.ts"],
          // One Prism mock on a free port for the whole run; tests read its URL with inject("mockBaseUrl").
          globalSetup: ["test/mock/global-setup.ts"],
        },
      },
      ...(redisUrl ? [{ extends: true as const, test: { name: "sandbox-on-redis", include: SANDBOX_BEHAVIOUR, env: { SANDBOX_TEST_STORE: redisUrl } } }] : []),
    ],
  },
});
