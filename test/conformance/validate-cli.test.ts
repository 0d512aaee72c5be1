import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../conformance/cli.js";
import { detectNotificationKind } from "../../conformance/payloads.js";
import { namedExamples } from "../helpers/spec.js";
import { root } from "../helpers/paths.js";

async function run(...args: string[]) {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const har = (name: string) => join(root, "test", "fixtures", "har", name);
const example = (operationId: string, direction: string, name: string) =>
  namedExamples().find((e) => e.operationId === operationId && e.direction === direction && e.name === name)!.value;

function tempFile(name: string, value: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "antom-conformance-")), name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe("antom-conformance validate", () => {
  test("a HAR recorded from a correct integration passes: every Antom call's request and response", async () => {
    const { code, out } = await run("validate", har("manual-capture.valid.har"));
    expect(out).toContain("6 passed, 0 failed");
    expect(out).toMatch(/PASS .*pay > pay\.request/);
    expect(code).toBe(0);
  });

  test("a broken HAR fails, naming each field path and rule", async () => {
    const { code, out } = await run("validate", har("broken.har"));
    expect(code).toBe(1);
    expect(out).toContain("paymentNotifyURL: paymentNotifyURL is not a property the contract defines (misspelt?) (additionalProperty)");
    expect(out).toMatch(/env\.terminalType: must be one of "WEB", "WAP", "APP", "MINI_APP"; got "DESKTOP" \(enum\)/);
    expect(out).toContain("captureAmount: captureAmount is required (required)");
    expect(out).toMatch(/result\.resultStatus: must be one of "S", "F", "U"; got "SUCCESS" \(enum\)/);
    expect(out).toContain("1 passed, 3 failed");
  });

  test("notifications are recognised by notifyType and disputeNotificationType", async () => {
    const payment = tempFile("payment.json", example("notifyPayment", "request", "authorizationSuccess"));
    const capture = tempFile("capture.json", example("notifyCapture", "request", "captureSuccess"));
    const dispute = tempFile("dispute.json", example("notifyDispute", "request", "disputeCreated"));
    const { code, out } = await run("validate", payment, capture, dispute);
    expect(out).toContain("notifyPayment.request");
    expect(out).toContain("notifyCapture.request");
    expect(out).toContain("notifyDispute.request");
    expect(code).toBe(0);
    expect(detectNotificationKind({ paymentId: "x" })).toBeUndefined();
  });

  test("a payload that does not say what it is asks for --as; with --as or a kind in its name it is checked", async () => {
    const body = example("cancel", "request", "byPaymentId");
    const unnamed = tempFile("body.json", body);
    const asked = await run("validate", unnamed);
    expect(asked.code).toBe(1);
    expect(asked.out).toContain("--as <kind>");
    expect((await run("validate", unnamed, "--as", "cancel.request")).code).toBe(0);
    expect((await run("validate", tempFile("cancel.request.json", body))).code).toBe(0);
    expect((await run("validate", tempFile("cancel.request.json", {}))).out).toContain("must have at least one of paymentId, paymentRequestId (anyOf)");
  });

  test("--reporter junit and json write machine-readable reports", async () => {
    const dir = mkdtempSync(join(tmpdir(), "antom-report-"));
    const junit = join(dir, "report.xml");
    const { code } = await run("validate", har("broken.har"), "--reporter", "junit", "--output", junit);
    expect(code).toBe(1);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/<testsuites name="antom-conformance" tests="4" failures="3" errors="0">/);
    expect(xml).toContain("<failure message=");
    const json = await run("validate", har("manual-capture.valid.har"), "--reporter", "json");
    expect(JSON.parse(json.out)).toMatchObject({ total: 6, passed: 6, failed: 0 });
  });

  test("bad usage exits 2 with a message", async () => {
    expect((await run("validate")).code).toBe(2);
    expect((await run("validate", "x.json", "--as", "pay.requests")).err).toContain("unknown kind pay.requests");
    expect((await run("validate", "x.json", "--reporter", "xml")).code).toBe(2);
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("run", "--base-url", "http://127.0.0.1:9", "--key-version", "v2")).err).toContain("--key-version must be a positive whole number");
  });

  test("files that cannot be read or parsed fail as checks, not crashes; an unreadable input means the checks could not run (exit 3)", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "antom-bad-")), "bad.json");
    writeFileSync(bad, "{not json");
    expect((await run("validate", bad)).code).toBe(1);
    const { code, out } = await run("validate", bad, join(tmpdir(), "does-not-exist.json"));
    expect(code).toBe(3);
    expect(out).toContain("not valid JSON");
    expect(out).toContain("cannot read");
  });
});
