import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { buildBundle, bundlePaths } from "../../scripts/bundle.js";

test("generated/openapi.yaml and generated/openapi.json match what `npm run bundle` produces", async () => {
  const { yaml, json } = await buildBundle();
  // On failure: run `npm run bundle` and commit generated/.
  expect(readFileSync(bundlePaths.yaml, "utf8")).toBe(yaml);
  expect(readFileSync(bundlePaths.json, "utf8")).toBe(json);
});
