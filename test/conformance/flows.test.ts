import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { promisify } from "node:util";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { checkCondition, loadFlows, runFlows } from "../../conformance/flows.js";
import { keySigner, responseSignatureProblem } from "../../conformance/signer.js";
import { signatureHeader, signContent, verifyContent, parseSignatureHeader } from "../../src/signing.js";
import { root } from "../helpers/paths.js";

const FLOWS = [
  "authorizationAutomaticCapture",
  "manualCapture",
  "cancelAuthorization",
  "threeDSChallenge",
  "idempotentRetry",
  "captureOverAuthorized",
  "captureAfterCancel",
  "inquiryUnknownPayment",
];

describe("scenario flows", () => {
  test("conformance/flows holds one Arazzo workflow per scenario", () => {
    expect(loadFlows().map((f) => f.workflowId).sort()).toEqual([...FLOWS].sort());
    for (const flow of loadFlows()) expect(flow.file).toMatch(/\.arazzo\.yaml$/);
  });

  test("the flow files are valid Arazzo documents for Redocly", async () => {
    for (const file of new Set(loadFlows().map((f) => f.file))) {
      const { stdout } = await promisify(execFile)(`${root}/node_modules/.bin/redocly`, ["lint", file, "--format=json"], { cwd: root }).catch(
        (error: { stdout: string }) => ({ stdout: error.stdout }),
      );
      const report = JSON.parse(stdout.slice(stdout.indexOf("{")));
      expect(report.problems, file).toEqual([]);
      expect(report.totals, file).toMatchObject({ errors: 0, warnings: 0 });
    }
  });

  test("every flow passes in contract mode against the Prism mock, every message validated", async () => {
    const checks = await runFlows({ baseUrl: inject("mockBaseUrl"), mode: "contract" });
    expect(checks.filter((c) => !c.passed)).toEqual([]);
    expect(new Set(checks.map((c) => c.name.split(" > ")[0]))).toEqual(new Set(FLOWS));
    expect(checks.length).toBe(19);
  });

  test("behaviour mode catches a server without state: the stateless mock answers success where a refusal is due", async () => {
    const checks = await runFlows({ baseUrl: inject("mockBaseUrl"), mode: "behaviour", flows: ["captureOverAuthorized", "inquiryUnknownPayment"] });
    const failed = checks.filter((c) => !c.passed);
    expect(failed.map((c) => c.name)).toEqual([
      "captureOverAuthorized > capture (capture)",
      "inquiryUnknownPayment > inquire (inquiryPayment)",
    ]);
    expect(failed[0].details).toContain("expected $response.body#/result/resultCode == 'CAPTURE_AMOUNT_EXCEED_AUTH_LIMIT'; got \"SUCCESS\"");
  });

  test("a failed step stops its flow and the later steps say why", async () => {
    const checks = await runFlows({ baseUrl: "http://127.0.0.1:9", flows: ["manualCapture"], timeoutMs: 2000 });
    expect(checks.map((c) => c.passed)).toEqual([false, false, false]);
    expect(checks[0].details[0]).toMatch(/request to http:\/\/127\.0\.0\.1:9\/v1\/payments\/pay failed/);
    expect(checks[1].details).toEqual(["not run: step pay failed"]);
  });

  test("conditions compare runtime expressions with literals and earlier outputs", () => {
    const steps = new Map([["pay", { outputs: { paymentId: "P1" } }]]);
    const current = { statusCode: 200, body: { paymentId: "P1", result: { resultStatus: "S" } }, outputs: {} };
    expect(checkCondition("$statusCode == 200", current, steps)).toBeUndefined();
    expect(checkCondition("$response.body#/result/resultStatus == 'S'", current, steps)).toBeUndefined();
    expect(checkCondition("$response.body#/paymentId == $steps.pay.outputs.paymentId", current, steps)).toBeUndefined();
    expect(checkCondition("$response.body#/normalUrl != null", current, steps)).toMatch(/got null/);
    expect(checkCondition("$response.body#/result/resultStatus == 'F'", current, steps)).toBe("expected $response.body#/result/resultStatus == 'F'; got \"S\"");
  });
});

describe("flows against a signing server", () => {
  // A stand-in for Antom that checks every request signature and signs its answers.
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const antom = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const clientId = "SANDBOX_5YBZ1K2ZXXXX00000";
  let server: Server;
  let baseUrl = "";
  let badSignatures = 0;
  let tamper = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const parsed = parseSignatureHeader(String(req.headers.signature));
        const ok =
          parsed !== undefined &&
          verifyContent({ path: req.url!, clientId: String(req.headers["client-id"]), time: String(req.headers["request-time"]), body }, parsed.signature, merchant.publicKey);
        if (!ok) badSignatures++;
        const answer = JSON.stringify(
          ok
            ? { result: { resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success" }, paymentId: "P1", paymentStatus: "SUCCESS" }
            : { result: { resultCode: "INVALID_SIGNATURE", resultStatus: "F", resultMessage: "invalid signature" } },
        );
        const time = "2024-05-01T10:00:00+08:00";
        const signed = signContent({ path: req.url!, clientId, time, body: tamper ? `${answer} ` : answer }, antom.privateKey);
        res.writeHead(200, { "Content-Type": "application/json", "client-id": clientId, "response-time": time, signature: signatureHeader(signed) });
        res.end(answer);
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ams/sandbox/api`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const verifyResponse = (response: { headers: Headers; body: string }, request: { path: string }) =>
    responseSignatureProblem(response, { path: request.path, clientId }, antom.publicKey);

  test("requests are signed over the full path the server sees, and response signatures are verified", async () => {
    badSignatures = 0;
    tamper = false;
    const checks = await runFlows({
      baseUrl,
      mode: "behaviour",
      flows: ["authorizationAutomaticCapture"],
      signer: keySigner({ clientId, privateKey: merchant.privateKey.export({ type: "pkcs8", format: "pem" }).toString() }),
      verifyResponse,
    });
    expect(badSignatures).toBe(0);
    expect(checks.every((c) => c.passed), JSON.stringify(checks, null, 2)).toBe(true);
  });

  test("a response whose signature does not verify fails the step", async () => {
    tamper = true;
    const checks = await runFlows({ baseUrl, flows: ["inquiryUnknownPayment"], signer: keySigner({ clientId, privateKey: merchant.privateKey }), verifyResponse });
    expect(checks[0].passed).toBe(false);
    expect(checks[0].details).toContain("response signature does not verify with Antom's public key");
  });

  test("without the merchant's key the server refuses every request", async () => {
    tamper = false;
    badSignatures = 0;
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const checks = await runFlows({ baseUrl, flows: ["inquiryUnknownPayment"], signer: keySigner({ clientId, privateKey: stranger.privateKey }) });
    expect(badSignatures).toBe(1);
    expect(checks[0].passed).toBe(false);
  });
});
