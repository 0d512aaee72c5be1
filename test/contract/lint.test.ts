import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { root } from "../helpers/paths.js";

// The split source is what authors edit; the bundle is what other teams' tools read. Both must lint clean.
// The sandbox's control API is held to the same rules.
test.each(["openapi/openapi.yaml", "generated/openapi.yaml", "openapi/sandbox.yaml"])("redocly lint of %s with the house ruleset reports zero errors and zero warnings", async (file) => {
  const run = promisify(execFile);
  const { stdout } = await run(join(root, "node_modules", ".bin", "redocly"), ["lint", file, "--format=json"], {
    cwd: root,
    env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  const report = JSON.parse(stdout.slice(stdout.indexOf("{")));
  const problems = report.problems.map((p: { ruleId: string; message: string; location: { pointer: string }[] }) =>
    `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`,
  );
  expect(problems).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
});
