// Every scenario flow of conformance/flows/ passes in behaviour mode against the sandbox: the
// Antom flows (the server must reach each outcome by itself) and the sandbox's own (clock,
// redelivery, dispute, stored card, hosted page, concurrency), with every answer's signature
// verified. The CLI runs them the same way.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadFlows, runFlows } from "../../conformance/flows.js";
import { keySigner, responseSignatureProblem } from "../../conformance/signer.js";
import { main } from "../../conformance/cli.js";
import { newMerchant, startHarness, type Harness, type Merchant } from "./harness.js";

let h: Harness;
let m: Merchant;
beforeAll(async () => {
  h = await startHarness();
  m = await newMerchant(h);
});
afterAll(() => h.close());

test("every flow passes in behaviour mode against the sandbox, signatures verified", async () => {
  const checks = await runFlows({
    baseUrl: h.url,
    mode: "behaviour",
    signer: keySigner({ clientId: m.clientId, privateKey: m.keys.privateKey }),
    verifyResponse: (response, request) => responseSignatureProblem(response, { path: request.path, clientId: m.clientId }, h.antomKeys.publicKey),
    inputs: { clientId: m.clientId },
  });
  expect(checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.details.join("; ")}`)).toEqual([]);
  expect(new Set(checks.map((c) => c.name.split(" > ")[0]))).toEqual(new Set(loadFlows().map((f) => f.workflowId)));
  // The sandbox's own flows take a fresh run ID each run, so they repeat on the same merchant.
  const sandboxFlows = loadFlows().filter((f) => f.sandboxOnly).map((f) => f.workflowId);
  const again = await runFlows({ baseUrl: h.url, mode: "behaviour", flows: sandboxFlows, signer: keySigner({ clientId: m.clientId, privateKey: m.keys.privateKey }), inputs: { clientId: m.clientId } });
  expect(again.filter((c) => !c.passed)).toEqual([]);
});

test("antom-conformance run --mode behaviour passes against the sandbox", async () => {
  const dir = mkdtempSync(join(tmpdir(), "antom-flows-"));
  const keyFile = join(dir, "merchant.pem");
  writeFileSync(keyFile, m.keys.privateKey.export({ type: "pkcs8", format: "pem" }));
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
  const other = await newMerchant(h);
  writeFileSync(keyFile, other.keys.privateKey.export({ type: "pkcs8", format: "pem" }));
  const code = await main(["run", "--base-url", `${h.url}/ams/sandbox/api`, "--mode", "behaviour", "--client-id", other.clientId, "--private-key", keyFile, "--flow", "sandboxRedelivery", "--flow", "manualCapture"], io as never);
  expect(out.join("")).not.toMatch(/FAIL/);
  expect(code).toBe(0);
});
