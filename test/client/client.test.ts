// Round trips of every operation against a local stand-in for Antom that checks the signature
// the client sent and signs what it answers.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  AntomConfigError,
  AntomHttpError,
  AntomMalformedResponseError,
  AntomNetworkError,
  AntomRequestValidationError,
  AntomResponseSignatureError,
  createAntomClient,
  operationPaths,
  type AntomClientOptions,
  type OperationId,
} from "../../src/index.js";
import { spec } from "../helpers/spec.js";
import { requestExamples, responseExamples, startStandIn, successByDefault, testKeyPair, type StandIn } from "./stand-in.js";
import { freePort } from "../../scripts/mock.js";

const merchant = testKeyPair();
const antom = testKeyPair();
const notAntom = testKeyPair();
const CLIENT_ID = "SANDBOX_5YBZ1K2ZXXXX00000";
const LIVE_CLIENT_ID = "5YBZ1K2ZXXXX00000";
// The Dashboard's forms: base64 PKCS#8 DER (merchant private key), base64 X.509 DER (Antom public key).
const dashboardPrivateKey = (merchant.privateKey.export({ type: "pkcs8", format: "der" }) as Buffer).toString("base64");
const dashboardAntomPublicKey = (antom.publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startStandIn({ merchantPublicKey: merchant.publicKey, antomPrivateKey: antom.privateKey, clientId: CLIENT_ID });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.handle(successByDefault);
  standIn.received.length = 0;
});

function client(overrides: Partial<AntomClientOptions> = {}) {
  return createAntomClient({
    baseUrl: standIn.baseUrl,
    clientId: CLIENT_ID,
    privateKey: dashboardPrivateKey,
    antomPublicKey: dashboardAntomPublicKey,
    ...overrides,
  });
}

const OPERATIONS = Object.keys(operationPaths) as OperationId[];
const firstRequest = (op: OperationId) => requestExamples(op)[0][1];

describe("every operation, round trip", () => {
  test("the client's operations are exactly the contract's paths and operationIds", () => {
    const contract = Object.fromEntries(Object.entries<any>(spec.paths).map(([path, item]) => [item.post.operationId, path]));
    expect(operationPaths).toEqual(contract);
  });

  test.each(OPERATIONS)("%s: signed request accepted, every contract response example comes back verified and narrowed", async (op) => {
    const antomClient = client();
    for (const [name, example] of responseExamples(op)) {
      standIn.handle((request) => (request.signatureValid ? { body: example } : successByDefault(request)));
      const result = await (antomClient[op] as (b: unknown) => Promise<any>)(firstRequest(op));
      const received = standIn.received.at(-1)!;
      expect(received.signatureValid, `${op} ${name}: request signature`).toBe(true);
      expect(received.path).toBe(`/ams/sandbox/api${operationPaths[op]}`);
      expect(JSON.parse(received.body.toString("utf8"))).toEqual(firstRequest(op));
      expect(result.verification).toBe("verified");
      expect(result.resultStatus).toBe(example.result.resultStatus);
      expect(result.resultCode).toBe(example.result.resultCode);
      expect(result.body).toEqual(example);
      const { result: _, ...fields } = example;
      if (example.result.resultStatus === "F") {
        for (const key of Object.keys(fields)) expect(result, `${op} ${name}: F carries only result`).not.toHaveProperty(key);
      } else {
        expect(result).toMatchObject(fields);
      }
    }
  });

  test("every named request example of every operation is signed and accepted", async () => {
    const antomClient = client();
    for (const op of OPERATIONS) {
      for (const [, body] of requestExamples(op)) {
        const result = await (antomClient[op] as (b: unknown) => Promise<any>)(body);
        expect(result.resultStatus).toBe("S");
        expect(standIn.received.at(-1)!.signatureValid).toBe(true);
      }
    }
  });
});

describe("request signing", () => {
  test("headers: Client-Id, Request-Time, Signature with keyVersion, JSON content type", async () => {
    await client({ keyVersion: 2, requestTime: () => "2024-05-01T10:00:00+08:00" }).inquiryPayment({ paymentId: "2024" });
    const { headers } = standIn.received[0];
    expect(headers["client-id"]).toBe(CLIENT_ID);
    expect(headers["request-time"]).toBe("2024-05-01T10:00:00+08:00");
    expect(headers["signature"]).toMatch(/^algorithm=RSA256,keyVersion=2,signature=[A-Za-z0-9%]+$/);
    expect(headers["content-type"]).toBe("application/json; charset=UTF-8");
  });

  test("Request-Time defaults to epoch milliseconds", async () => {
    const before = Date.now();
    await client().inquiryPayment({ paymentId: "2024" });
    const time = Number(standIn.received[0].headers["request-time"]);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  test("the signature sent equals openssl's over the content the stand-in received", async () => {
    await client().pay(firstRequest("pay"));
    const { content, signature } = standIn.received[0];
    const dir = mkdtempSync(join(tmpdir(), "antom-client-"));
    try {
      writeFileSync(join(dir, "merchant-test-key.pem"), merchant.privateKey.export({ type: "pkcs8", format: "pem" }));
      writeFileSync(join(dir, "content.bin"), content);
      const expected = execFileSync("openssl", ["dgst", "-sha256", "-sign", join(dir, "merchant-test-key.pem"), join(dir, "content.bin")]);
      expect(signature).toBe(expected.toString("base64"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a client ID starting with SANDBOX_ uses /ams/sandbox/api; any other /ams/api; the signed path is the path sent", async () => {
    await client().capture(firstRequest("capture"));
    await client({ clientId: LIVE_CLIENT_ID }).capture(firstRequest("capture"));
    expect(standIn.received.map((r) => r.path)).toEqual(["/ams/sandbox/api/v1/payments/capture", "/ams/api/v1/payments/capture"]);
    expect(standIn.received.every((r) => r.signatureValid)).toBe(true);
    expect(standIn.received[1].content.toString("utf8")).toMatch(/^POST \/ams\/api\/v1\/payments\/capture\n5YBZ1K2ZXXXX00000\.\d+\.\{/);
  });

  test('pathPrefix "" serves a mock at its root; a proxy path in baseUrl is kept and signed', async () => {
    await client({ pathPrefix: "" }).cancel({ paymentId: "1" });
    await client({ baseUrl: `${standIn.baseUrl}/antom-proxy/` }).cancel({ paymentId: "1" });
    expect(standIn.received.map((r) => r.path)).toEqual(["/v1/payments/cancel", "/antom-proxy/ams/sandbox/api/v1/payments/cancel"]);
    expect(standIn.received.every((r) => r.signatureValid)).toBe(true);
  });

  test("agent-token is sent when given", async () => {
    await client().cancel({ paymentId: "1" }, { agentToken: "AGENT_1" });
    expect(standIn.received[0].headers["agent-token"]).toBe("AGENT_1");
  });

  test("a request signed with the wrong key gets Antom's unsigned INVALID_SIGNATURE answer, reported unverified", async () => {
    const result = await client({ privateKey: notAntom.privateKey }).pay(firstRequest("pay"));
    expect(standIn.received[0].signatureValid).toBe(false);
    expect(result.resultStatus).toBe("F");
    expect(result.resultCode).toBe("INVALID_SIGNATURE");
    expect(result.verification).toBe("unsigned");
  });
});

describe("response verification", () => {
  const lowerAmount = (text: string) => {
    const changed = text.replace(/"value":"\d+"/, '"value":"1"');
    if (changed === text) throw new Error("nothing to tamper with");
    return changed;
  };

  test("a tampered response is an error, never data", async () => {
    standIn.handle(() => ({ body: responseExamples("pay")[0][1], tamper: lowerAmount }));
    const call = client().pay(firstRequest("pay"));
    await expect(call).rejects.toBeInstanceOf(AntomResponseSignatureError);
    await expect(call).rejects.toMatchObject({ reason: "mismatch", operationId: "pay" });
  });

  test("a response signed with another key is an error", async () => {
    standIn.handle(() => ({ body: responseExamples("capture")[0][1], signWith: notAntom.privateKey }));
    await expect(client().capture(firstRequest("capture"))).rejects.toBeInstanceOf(AntomResponseSignatureError);
  });

  test("a malformed signature header is an error", async () => {
    standIn.handle(() => ({ body: responseExamples("cancel")[0][1], signatureHeader: "garbage" }));
    await expect(client().cancel({ paymentId: "1" })).rejects.toMatchObject({ name: "AntomResponseSignatureError", reason: "malformed" });
  });

  test("an unsigned S answer is refused; an unsigned F gateway error is returned as unverified", async () => {
    standIn.handle(() => ({ body: responseExamples("pay")[0][1], sign: false }));
    await expect(client().pay(firstRequest("pay"))).rejects.toMatchObject({ name: "AntomResponseSignatureError", reason: "unsigned-success" });
    standIn.handle(() => ({ body: { result: { resultCode: "UNKNOWN_EXCEPTION", resultStatus: "F", resultMessage: "gateway" } }, sign: false }));
    const result = await client().pay(firstRequest("pay"));
    expect(result.verification).toBe("unsigned");
    expect(result.resultStatus).toBe("F");
  });

  test("without antomPublicKey nothing is verified, and the result says so", async () => {
    standIn.handle(() => ({ body: responseExamples("pay")[0][1], tamper: lowerAmount }));
    const result = await client({ antomPublicKey: undefined }).pay(firstRequest("pay"));
    expect(result.verification).toBe("skipped");
  });
});

describe("errors that are not answers", () => {
  test("connection refused is an AntomNetworkError", async () => {
    const port = await freePort();
    const call = client({ baseUrl: `http://127.0.0.1:${port}` }).pay(firstRequest("pay"));
    await expect(call).rejects.toBeInstanceOf(AntomNetworkError);
    await expect(call).rejects.toMatchObject({ operationId: "pay", url: `http://127.0.0.1:${port}/ams/sandbox/api/v1/payments/pay` });
  });

  test("a connection closed without an answer is an AntomNetworkError", async () => {
    standIn.handle(() => ({ body: "", hangUp: true }));
    await expect(client().inquiryPayment({ paymentId: "1" })).rejects.toBeInstanceOf(AntomNetworkError);
  });

  test("an aborted call is an AntomNetworkError", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client().inquiryPayment({ paymentId: "1" }, { signal: controller.signal })).rejects.toBeInstanceOf(AntomNetworkError);
  });

  test.each([404, 500, 502])("HTTP %i is an AntomHttpError with status and body", async (status) => {
    standIn.handle(() => ({ status, body: "upstream trouble", sign: false }));
    const call = client().capture(firstRequest("capture"));
    await expect(call).rejects.toBeInstanceOf(AntomHttpError);
    await expect(call).rejects.toMatchObject({ status, body: "upstream trouble", operationId: "capture" });
  });

  test("a non-200 JSON body is kept as text", async () => {
    const body = { result: { resultCode: "UNKNOWN_EXCEPTION", resultStatus: "U", resultMessage: "busy" } };
    standIn.handle(() => ({ status: 503, body, sign: false }));
    await expect(client().pay(firstRequest("pay"))).rejects.toMatchObject({ name: "AntomHttpError", status: 503, body: JSON.stringify(body) });
  });

  test.each([
    ["not JSON", "<html>gateway</html>", "(root)", "json"],
    ["no result", { paymentId: "1" }, "result", "required"],
    ["an unknown resultStatus", { result: { resultCode: "SUCCESS", resultStatus: "X" } }, "result.resultStatus", "enum"],
    ["a resultCode that is not a string", { result: { resultCode: 1, resultStatus: "S" } }, "result.resultCode", "type"],
  ])("a 200 response with %s is an AntomMalformedResponseError naming the field and rule", async (_, body, path, rule) => {
    standIn.handle(() => ({ body }));
    const call = client().pay(firstRequest("pay"));
    await expect(call).rejects.toBeInstanceOf(AntomMalformedResponseError);
    await expect(call).rejects.toMatchObject({ problem: { path, rule } });
  });

  test("an unknown resultCode is passed through, to be handled by its status", async () => {
    standIn.handle(() => ({ body: { result: { resultCode: "SOME_NEW_CODE", resultStatus: "F", resultMessage: "new" } } }));
    const result = await client().pay(firstRequest("pay"));
    expect(result).toMatchObject({ resultStatus: "F", resultCode: "SOME_NEW_CODE", resultMessage: "new" });
  });
});

describe("options and input", () => {
  test("validateRequests rejects a misspelt field before anything is sent, naming path and rule", async () => {
    const body = { ...firstRequest("pay"), paymentAmount: { currency: "USD", value: "10.00" }, paymentRequestID: "typo" };
    const call = client({ validateRequests: true }).pay(body);
    await expect(call).rejects.toBeInstanceOf(AntomRequestValidationError);
    const error = (await call.catch((e) => e)) as AntomRequestValidationError;
    expect(error.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "paymentAmount.value", rule: "pattern" }),
        expect.objectContaining({ path: "paymentRequestID", rule: "additionalProperty" }),
      ]),
    );
    expect(error.result).toMatchObject({ resultCode: "PARAM_ILLEGAL", resultStatus: "F" });
    expect(standIn.received).toHaveLength(0);
  });

  test.each<[string, Partial<AntomClientOptions>, string]>([
    ["a relative baseUrl", { baseUrl: "/ams" }, "baseUrl"],
    ["a baseUrl that already ends with /ams/api", { baseUrl: "https://open-sea-global.alipay.com/ams/api" }, "baseUrl"],
    ["a pathPrefix without a leading slash", { pathPrefix: "ams/api" }, "pathPrefix"],
    ["an empty clientId", { clientId: "" }, "clientId"],
    ["a keyVersion that is not a number", { keyVersion: "v1" }, "keyVersion"],
    ["a private key that is not a key", { privateKey: "nope" }, "privateKey"],
    ["Antom's key given as a private key", { antomPublicKey: merchant.privateKey }, "antomPublicKey"],
  ])("%s is an AntomConfigError naming the option", (_, overrides, option) => {
    expect(() => client(overrides)).toThrow(AntomConfigError);
    try {
      client(overrides);
    } catch (error) {
      expect((error as AntomConfigError).option).toBe(option);
    }
  });

  test("endpoint: gateway host plus the prefix chosen by client ID", () => {
    const gateway = "https://open-sea-global.alipay.com";
    expect(createAntomClient({ baseUrl: gateway, clientId: CLIENT_ID, privateKey: merchant.privateKey }).endpoint).toBe(`${gateway}/ams/sandbox/api`);
    expect(createAntomClient({ baseUrl: `${gateway}/`, clientId: LIVE_CLIENT_ID, privateKey: merchant.privateKey }).endpoint).toBe(`${gateway}/ams/api`);
    expect(createAntomClient({ baseUrl: `${gateway}/ams/api`, pathPrefix: "", clientId: LIVE_CLIENT_ID, privateKey: merchant.privateKey }).endpoint).toBe(
      `${gateway}/ams/api`,
    );
  });

  test("a custom fetch is used", async () => {
    const seen: string[] = [];
    const result = await client({
      fetch: (request) => {
        seen.push(request.url);
        return fetch(request);
      },
    }).consult(firstRequest("consult"));
    expect(seen).toEqual([`${standIn.baseUrl}/ams/sandbox/api/v1/payments/consult`]);
    expect(result.resultStatus).toBe("S");
  });
});
