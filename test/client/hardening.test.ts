// The client never returns a forged answer: the official SDKs' signature-header matrix
// (global-open-sdk-java #222, -python #179, -php #173), applied by the client, its openapi-fetch
// middleware and the conformance runner alike; and answers that are malformed, slow, huge,
// redirected or cut off are reported as what they are.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  AntomHttpError,
  AntomMalformedResponseError,
  AntomNetworkError,
  AntomRedirectError,
  AntomResponseSignatureError,
  AntomResponseTooLargeError,
  AntomTimeoutError,
  createAntomClient,
  DEFAULT_TIMEOUT_MS,
  type AntomClientOptions,
} from "../../src/index.js";
import { responseSignatureProblem } from "../../conformance/signer.js";
import { responseExamples, requestExamples, startStandIn, successByDefault, testKeyPair, type Reply, type StandIn } from "./stand-in.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../helpers/paths.js";

const merchant = testKeyPair();
const antom = testKeyPair();
const CLIENT_ID = "SANDBOX_HARDENING";

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startStandIn({ merchantPublicKey: merchant.publicKey, antomPrivateKey: antom.privateKey, clientId: CLIENT_ID });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.handle(successByDefault);
});

function client(overrides: Partial<AntomClientOptions> = {}) {
  return createAntomClient({ baseUrl: standIn.baseUrl, clientId: CLIENT_ID, privateKey: merchant.privateKey, antomPublicKey: antom.publicKey, ...overrides });
}

const payRequest = () => requestExamples("pay")[0][1];
const S = () => responseExamples("pay")[0][1];
const F = { result: { resultCode: "UNKNOWN_EXCEPTION", resultStatus: "F", resultMessage: "gateway error" } };
const U = { result: { resultCode: "UNKNOWN_EXCEPTION", resultStatus: "U", resultMessage: "gateway busy" } };
const without = (...names: string[]) => (h: Record<string, string>) => {
  for (const n of names) delete h[n];
  return h;
};
const blank = (...names: string[]) => (h: Record<string, string>) => {
  for (const n of names) h[n] = "";
  return h;
};
const flipSignature = (h: Record<string, string>) => ({ ...h, signature: h.signature.replace(/signature=(.)/, (_m, c: string) => `signature=${c === "A" ? "B" : "A"}`) });

type Expected = "verified" | "unsigned" | "partial" | "unsigned-success" | "mismatch" | "malformed";
// [case, reply, expected]: accepted as `verified`/`unsigned`, or refused for that reason.
const MATRIX: [string, () => Reply, Expected][] = [
  ["1 unsigned S", () => ({ body: S(), sign: false }), "unsigned-success"],
  ["2 unsigned F", () => ({ body: F, sign: false }), "unsigned"],
  ["3 unsigned U", () => ({ body: U, sign: false }), "unsigned"],
  ["4 empty signature and response-time, S", () => ({ body: S(), headers: blank("signature", "response-time") }), "unsigned-success"],
  ["5 empty signature and response-time, F", () => ({ body: F, headers: blank("signature", "response-time") }), "unsigned"],
  ["6 signature without response-time, S", () => ({ body: S(), headers: without("response-time") }), "partial"],
  ["7 signature without response-time, F", () => ({ body: F, headers: without("response-time") }), "partial"],
  ["8 response-time without signature (stripped), S", () => ({ body: S(), headers: without("signature") }), "partial"],
  ["9 response-time without signature (stripped), F", () => ({ body: F, headers: without("signature") }), "partial"],
  ["10 blanked signature, S", () => ({ body: S(), headers: blank("signature") }), "partial"],
  ["11 signed S", () => ({ body: S() }), "verified"],
  ["12 signed F", () => ({ body: F }), "verified"],
  ["13 tampered body, S", () => ({ body: S(), tamper: (t) => t.replace(/"value":"\d+"/, '"value":"1"') }), "mismatch"],
  ["issue #10: invalid signature with response-time removed, S", () => ({ body: S(), headers: (h) => without("response-time")(flipSignature(h)) }), "partial"],
  ["issue #10: invalid signature, F", () => ({ body: F, headers: flipSignature }), "mismatch"],
  ["malformed signature header, F", () => ({ body: F, signatureHeader: "algorithm=RSA256,keyVersion=1" }), "malformed"],
];

describe("the signature-header matrix of the official SDKs", () => {
  test.each(MATRIX)("%s: the client's methods", async (_name, reply, expected) => {
    standIn.handle(reply);
    const call = client().pay(payRequest());
    if (expected === "verified" || expected === "unsigned") {
      expect((await call).verification).toBe(expected);
    } else {
      await expect(call).rejects.toBeInstanceOf(AntomResponseSignatureError);
      await expect(call).rejects.toMatchObject({ reason: expected });
    }
  });

  test.each(MATRIX)("%s: the openapi-fetch middleware (fetchClient)", async (_name, reply, expected) => {
    standIn.handle(reply);
    const call = (client().fetchClient.POST as any)("/v1/payments/pay", { body: payRequest(), parseAs: "text" });
    if (expected === "verified" || expected === "unsigned") await expect(call).resolves.toBeDefined();
    else await expect(call).rejects.toMatchObject({ name: "AntomResponseSignatureError", reason: expected });
  });

  test.each(MATRIX)("%s: the conformance runner's check", async (_name, reply, expected) => {
    standIn.handle(reply);
    const path = "/ams/sandbox/api/v1/payments/pay";
    const body = JSON.stringify(payRequest());
    // Signed by the client so the stand-in answers as it would; the answer is then checked by the runner's rule.
    const response = await fetch(`${standIn.baseUrl}${path}`, { method: "POST", body, headers: { "client-id": CLIENT_ID } });
    const text = await response.text();
    const problem = responseSignatureProblem({ headers: response.headers, body: text }, { path, clientId: CLIENT_ID }, antom.publicKey);
    if (expected === "verified" || expected === "unsigned") expect(problem).toBeUndefined();
    else expect(problem).toBeDefined();
  });
});

describe("answers that are not what they claim", () => {
  test("a field of the wrong type (paymentId: 123) is an AntomMalformedResponseError naming the field", async () => {
    standIn.handle(() => ({ body: { ...S(), paymentId: 123 } }));
    const call = client().pay(payRequest());
    await expect(call).rejects.toBeInstanceOf(AntomMalformedResponseError);
    await expect(call).rejects.toMatchObject({ problem: { path: "paymentId", rule: "type" } });
    await expect(call).rejects.toThrow(/malformed response: paymentId: must be string/);
  });

  test("a field Antom added later is welcome (tolerant contract)", async () => {
    standIn.handle(() => ({ body: { ...S(), someNewField: { x: 1 } } }));
    expect((await client().pay(payRequest())).verification).toBe("verified");
  });

  test("a redirect is reported as a redirect, with where it pointed, and not followed", async () => {
    standIn.handle(() => ({ status: 302, body: "", sign: false, headers: (h) => ({ ...h, location: "https://elsewhere.invalid/pay" }) }));
    const call = client().pay(payRequest());
    await expect(call).rejects.toBeInstanceOf(AntomRedirectError);
    await expect(call).rejects.toMatchObject({ status: 302, location: "https://elsewhere.invalid/pay" });
    await expect(call).rejects.toThrow(/HTTP 302 redirect to https:\/\/elsewhere\.invalid\/pay, not followed/);
    expect(standIn.received.filter((r) => r.path.includes("elsewhere")).length).toBe(0);
  });

  test("a 422 keeps its whole body, and the message still names the failing field", async () => {
    const problem = {
      type: "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
      title: "Invalid request",
      status: 422,
      detail: "Your request is not valid and no HTTP validation response was found in the spec, so Prism is generating this error for you.",
      validation: [{ location: ["body", "paymentMethod", "paymentMethodMetaData", "expiryYear"], severity: "Error", code: "pattern", message: "must match pattern" }],
    };
    standIn.handle(() => ({ status: 422, body: problem, sign: false }));
    const error = await client().pay(payRequest()).catch((e) => e);
    expect(error).toBeInstanceOf(AntomHttpError);
    expect(JSON.parse(error.body)).toEqual(problem);
    expect(error.message).toContain("body.paymentMethod.paymentMethodMetaData.expiryYear: must match pattern");
    expect(error.message).not.toContain("\n");
  });

  test("an answer larger than maxResponseBytes is refused without reading it whole", async () => {
    standIn.handle(() => ({ body: { ...S(), padding: "x".repeat(10_000) } }));
    await expect(client({ maxResponseBytes: 4096 }).pay(payRequest())).rejects.toBeInstanceOf(AntomResponseTooLargeError);
    // Without Content-Length: an endless stream is cut at the limit.
    let pulled = 0;
    const endless = () =>
      Promise.resolve(
        new Response(
          new ReadableStream({
            pull(controller) {
              pulled++;
              controller.enqueue(new Uint8Array(64 * 1024));
            },
          }),
          { status: 200 },
        ),
      );
    const call = client({ fetch: endless }).pay(payRequest());
    await expect(call).rejects.toMatchObject({ name: "AntomResponseTooLargeError", maxResponseBytes: 1024 * 1024 });
    expect(pulled).toBeLessThan(40);
  });

  test("a default timeout exists (30 s, documented); a slower answer is an AntomTimeoutError naming it", async () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
    expect(readFileSync(join(root, "README.md"), "utf8")).toMatch(/timeoutMs.*30/);
    standIn.handle(() => ({ body: S(), delayMs: 2000 }));
    const call = client({ timeoutMs: 100 }).pay(payRequest());
    await expect(call).rejects.toBeInstanceOf(AntomTimeoutError);
    await expect(call).rejects.toThrow(/no answer within 100 ms \(timeoutMs\)/);
    await expect(client().pay(payRequest(), { timeoutMs: 50 })).rejects.toMatchObject({ name: "AntomTimeoutError", timeoutMs: 50 });
  });

  test("a connection closed without an answer says so", async () => {
    standIn.handle(() => ({ body: "", hangUp: true }));
    const call = client().pay(payRequest());
    await expect(call).rejects.toBeInstanceOf(AntomNetworkError);
    await expect(call).rejects.toThrow(/closed before an answer arrived/);
  });
});
