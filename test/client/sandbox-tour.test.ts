// The sandbox tour in examples/ must keep working: run it as a user would (it starts its own
// sandbox and receiver on 127.0.0.1) and check that it says every step behaved as expected.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { TEST_CARDS } from "../../src/sandbox/test-cards.js";
import { root } from "../helpers/paths.js";

test("examples/sandbox-tour.ts goes through a challenge, manual capture, expiry and redelivery, and exits 0", async () => {
  const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const run = await promisify(execFile)(process.execPath, [tsx, join(root, "examples", "sandbox-tour.ts")], { cwd: root }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }),
  );
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).not.toContain("FAIL");
  expect(run.stdout).toMatch(/1\. 3-D Secure challenge[\s\S]*2\. Manual capture[\s\S]*3\. Expiry[\s\S]*4\. Redelivery/);
  expect(run.stdout).toContain("AUTH_EXPIRED");
  expect(run.stdout).toMatch(/notifyPayment attempt 3 at \S+: HTTP 200, acknowledged/);
  expect(run.stdout.trimEnd().endsWith("Every step behaved as expected.")).toBe(true);
  // No card number appears in full, in the tour's output or in the sandbox's log.
  for (const card of TEST_CARDS) expect(`${run.stdout}${run.stderr}`).not.toContain(card.cardNo);
});
