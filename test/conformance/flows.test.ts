import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { checkCondition, loadFlows, preferredExample, runFlows } from "../../conformance/flows.js";
import { keySigner, responseSignatureProblem } from "../../conformance/signer.js";
import { startStandIn, successByDefault, testKeyPair, type StandIn } from "../client/stand-in.js";
import { root } from "../helpers/paths.js";
import { spec } from "../helpers/spec.js";

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
/** Flows that drive the sandbox's control API: behaviour mode against the sandbox only (test/sandbox/flows.test.ts). */
const SANDBOX_FLOWS = [
  "sandboxAuthorizationExpiry",
  "sandboxDispute",
  "sandboxHostedPage",
  "sandboxIdempotentConcurrency",
  "sandboxRedelivery",
  "sandboxStoredCard",
  "sandboxThreeDSChallenge",
];

describe("scenario flows", () => {
  test("conformance/flows holds one Arazzo workflow per scenario", () => {
    expect(loadFlows().map((f) => f.workflowId).sort()).toEqual([...FLOWS, ...SANDBOX_FLOWS].sort());
    expect(loadFlows().filter((f) => f.sandboxOnly).map((f) => f.workflowId).sort()).toEqual(SANDBOX_FLOWS);
    for (const flow of loadFlows()) expect(flow.file).toMatch(/\.arazzo\.yaml$/);
  });

  test("the flow files are valid Arazzo documents for Redocly", async () => {
    for (const file of new Set(loadFlows().map((f) => f.file))) {
      const { stdout } = await promisify(execFile)(`${root}/node_modules/.bin/redocly`, ["lint", file, "--format=json"], { cwd: root, env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } }).catch(
        (error: { stdout: string }) => ({ stdout: error.stdout }),
      );
      const report = JSON.parse(stdout.slice(stdout.indexOf("{")));
      expect(report.problems, file).toEqual([]);
      expect(report.totals, file).toMatchObject({ errors: 0, warnings: 0 });
    }
  });

  test("each step picks its mock outcome with a standard Prefer header naming an example of its operation", () => {
    const operations = new Map(Object.values<any>(spec.paths).map((item) => [item.post.operationId, item.post]));
    let steps = 0;
    for (const flow of loadFlows().filter((f) => !f.sandboxOnly)) {
      expect(flow.parameters?.map((p) => p.name), flow.workflowId).toEqual(["Client-Id", "Request-Time", "Signature"]);
      for (const step of flow.steps) {
        expect(Object.keys(step).filter((key) => key.startsWith("x-")), `${flow.workflowId} > ${step.stepId}`).toEqual([]);
        const example = preferredExample(step);
        const examples = Object.keys(operations.get(step.operationId).responses["200"].content["application/json"].examples);
        expect(examples, `${flow.workflowId} > ${step.stepId}: Prefer: example=${example}`).toContain(example);
        steps++;
      }
    }
    expect(steps).toBe(19);
  });

  test("Redocly Respect runs every Antom flow file unchanged against the Prism mock, and all pass", async () => {
    // The sandbox's own flows drive its control API and need signed requests: they run in test/sandbox/flows.test.ts.
    const files = [...new Set(loadFlows().filter((f) => !f.sandboxOnly).map((f) => f.file))];
    const dir = await mkdtemp(join(tmpdir(), "antom-respect-"));
    try {
      const report = join(dir, "respect.json");
      const { exitCode, output } = await promisify(execFile)(
        `${root}/node_modules/.bin/redocly`,
        ["respect", ...files.map((f) => relative(root, f)), "--server", `antom=${inject("mockBaseUrl")}`, "--json-output", report],
        { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" }, maxBuffer: 16 * 1024 * 1024 },
      ).then(
        (r) => ({ exitCode: 0, output: r.stdout }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({ exitCode: error.code, output: `${error.stdout}\n${error.stderr}` }),
      );
      expect(exitCode, output).toBe(0);
      const result = JSON.parse(await readFile(report, "utf8"));
      expect(Object.keys(result.files).length).toBe(files.length);
      const workflows = Object.values<any>(result.files).flatMap((file) => file.executedWorkflows);
      expect(workflows.map((w) => w.workflowId).sort()).toEqual([...FLOWS].sort());
      const steps = workflows.flatMap((w) => w.executedSteps);
      expect(steps.length).toBe(19);
      // Every step sent the flow's Prefer header and passed every check Respect made.
      for (const step of steps) {
        expect(step.request.headers.prefer, step.stepId).toMatch(/^example=\w+$/);
        expect(step.checks.filter((c: { passed: boolean }) => !c.passed), `${step.workflowId} > ${step.stepId}`).toEqual([]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
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
  // The client tests' stand-in for Antom: it checks every request signature and signs its answers.
  const merchant = testKeyPair();
  const antom = testKeyPair();
  const clientId = "SANDBOX_5YBZ1K2ZXXXX00000";
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await startStandIn({ merchantPublicKey: merchant.publicKey, antomPrivateKey: antom.privateKey, clientId });
  });
  afterAll(() => standIn.close());

  const baseUrl = () => `${standIn.baseUrl}/ams/sandbox/api`;
  const verifyResponse = (response: { headers: Headers; body: string }, request: { path: string }) =>
    responseSignatureProblem(response, { path: request.path, clientId }, antom.publicKey);

  test("requests are signed over the full path the server sees, and response signatures are verified", async () => {
    standIn.handle(successByDefault);
    const checks = await runFlows({
      baseUrl: baseUrl(),
      mode: "behaviour",
      flows: ["authorizationAutomaticCapture"],
      signer: keySigner({ clientId, privateKey: merchant.privateKey.export({ type: "pkcs8", format: "pem" }).toString() }),
      verifyResponse,
    });
    expect(checks.filter((c) => !c.passed)).toEqual([]);
    const seen = standIn.received.slice(-2);
    expect(seen.map((r) => [r.path, r.signatureValid])).toEqual([
      ["/ams/sandbox/api/v1/payments/pay", true],
      ["/ams/sandbox/api/v1/payments/inquiryPayment", true],
    ]);
  });

  test("a response whose signature does not verify fails the step", async () => {
    standIn.handle((request) => ({ ...successByDefault(request), tamper: (text) => `${text} ` }));
    const checks = await runFlows({ baseUrl: baseUrl(), flows: ["inquiryUnknownPayment"], signer: keySigner({ clientId, privateKey: merchant.privateKey }), verifyResponse });
    expect(checks[0].passed).toBe(false);
    expect(checks[0].details).toContain("response signature does not verify with Antom's public key");
  });

  test("without the merchant's key the server refuses the request and the step fails", async () => {
    standIn.handle(successByDefault);
    const checks = await runFlows({ baseUrl: baseUrl(), flows: ["inquiryUnknownPayment"], signer: keySigner({ clientId, privateKey: testKeyPair().privateKey }) });
    expect(standIn.received.at(-1)!.signatureValid).toBe(false);
    expect(checks[0].passed).toBe(false);
    expect(checks[0].details).toContain("expected $response.body#/result/resultCode == 'ORDER_NOT_EXIST'; got \"INVALID_SIGNATURE\"");
  });
});
