// The README's runnable example must keep working: run it as a user would and check each step.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { root } from "../helpers/paths.js";

test("examples/card-payment.ts signs, pays, receives the notification, captures and inquires", async () => {
  const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const { stdout } = await promisify(execFile)(process.execPath, [tsx, join(root, "examples", "card-payment.ts")], { cwd: root });
  expect(stdout).toMatch(/Signature: algorithm=RSA256,keyVersion=1,signature=\S+/);
  expect(stdout).toMatch(/2\. pay .*\n {3}S SUCCESS, paymentId \d+, card \*+0768, response verified/);
  expect(stdout).toMatch(/verified notifyPayment PAYMENT_RESULT S SUCCESS/);
  expect(stdout).toContain('acknowledged: 200 {"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}');
  expect(stdout).toMatch(/4\. capture\n {3}S SUCCESS, captureId \S+, response verified/);
  expect(stdout).toMatch(/paymentStatus SUCCESS; transactions: CAPTURE SUCCESS; response verified/);
  expect(stdout.trimEnd().endsWith("done")).toBe(true);
  // The test card number never appears in full.
  expect(stdout).not.toContain("4054695723100768");
});
