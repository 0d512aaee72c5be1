// The sandbox speaks Antom's protocol: identity, signatures both ways, the three path prefixes,
// and HTTP 200 with F / PARAM_ILLEGAL (naming the field) for any invalid input.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAntomClient } from "../../src/index.js";
import { checkResponseSignature, signedHeaders } from "../../src/core/signing.js";
import { startFromOptions } from "../../src/sandbox/cli.js";
import { newMerchant, payBody, startHarness, testKeys, uniqueClientId, type Harness, type Merchant } from "./harness.js";

let h: Harness;
let m: Merchant;
beforeAll(async () => {
  h = await startHarness();
  m = await newMerchant(h);
});
afterAll(() => h.close());

const inquiry = JSON.stringify({ paymentRequestId: "PAY_NONE" });

describe("identity", () => {
  test("started from the command line, it prints a ready identity; the client with verification on works with nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), "antom-sandbox-"));
    const { sandbox, banner } = await startFromOptions({ port: 0, host: "127.0.0.1", clientId: "SANDBOX_LOCAL_MERCHANT", keysDir: dir, allowRemoteNotifications: false, unsignedErrors: false }, () => undefined);
    try {
      expect(banner).toContain(sandbox.url);
      expect(banner).toContain(join(dir, "merchant-private-key.pem"));
      expect(banner).toContain(join(dir, "antom-public-key.pem"));
      const client = createAntomClient({ baseUrl: sandbox.url, clientId: "SANDBOX_LOCAL_MERCHANT", privateKey: readFileSync(join(dir, "merchant-private-key.pem")), antomPublicKey: readFileSync(join(dir, "antom-public-key.pem")) });
      const result = await client.pay(payBody());
      expect([result.resultStatus, result.verification]).toEqual(["S", "verified"]);
      const served = await (await fetch(`${sandbox.url}/sandbox/antom-public-key.pem`)).text();
      expect(served).toBe(readFileSync(join(dir, "antom-public-key.pem"), "utf8"));
    } finally {
      await sandbox.close();
    }
  });

  test("the five operations answer at /ams/api, /ams/sandbox/api and the bare /v1 paths", async () => {
    for (const prefix of ["/ams/api", "/ams/sandbox/api", ""]) {
      for (const op of ["consult", "pay", "cancel", "capture", "inquiryPayment"]) {
        const answer = await m.raw(`${prefix}/v1/payments/${op}`, "{}");
        expect(answer.status).toBe(200);
        expect(answer.json.result.resultCode).toBe("PARAM_ILLEGAL");
      }
    }
  });

  test("a merchant registered at run time with a base64 DER key (the Dashboard's form) is served", async () => {
    const keys = testKeys();
    const clientId = uniqueClientId("DER");
    const der = keys.publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const registered = await m.control("POST", "/sandbox/merchants", { clientId, publicKey: der });
    expect(registered.json).toEqual({ clientId, keyVersions: ["1"] });
    const client = createAntomClient({ baseUrl: h.url, clientId, privateKey: keys.privateKey, antomPublicKey: h.antomKeys.publicKey });
    expect((await client.inquiryPayment({ paymentRequestId: "X" })).resultCode).toBe("ORDER_NOT_EXIST");
  });

  test("registration errors name the field", async () => {
    expect((await m.control("POST", "/sandbox/merchants", { clientId: "SANDBOX_X", publicKey: "not a key" })).json.error).toMatchObject({ path: "publicKey" });
    expect((await m.control("POST", "/sandbox/merchants", { publicKey: "x" })).json.error).toMatchObject({ path: "clientId", rule: "required" });
    expect((await m.control("POST", "/sandbox/merchants", { clientId: "SANDBOX_X", publicKey: "x", notifyUrl: 5 })).json.error).toMatchObject({ path: "notifyUrl", rule: "type" });
  });
});

describe("signatures", () => {
  const path = "/ams/sandbox/api/v1/payments/inquiryPayment";

  test.each([
    ["an unknown client", () => ({ "Client-Id": "SANDBOX_NOBODY" }), "CLIENT_INVALID"],
    ["a key version that is not registered", () => ({ Signature: "algorithm=RSA256,keyVersion=7,signature=abc" }), "KEY_NOT_FOUND"],
    ["a signature over other content", () => ({ Signature: signedHeaders({ path, clientId: m.clientId, time: "1", body: "{}" }, m.keys.privateKey).Signature }), "INVALID_SIGNATURE"],
    ["a signature by another key", () => signedHeaders({ path, clientId: m.clientId, time: "1", body: inquiry }, testKeys().privateKey), "INVALID_SIGNATURE"],
    ["a blank signature", () => ({ Signature: "" }), "INVALID_SIGNATURE"],
    ["a malformed Signature header", () => ({ Signature: "RSA256 abc" }), "INVALID_SIGNATURE"],
  ])("%s gets F / %s, signed", async (_name, headers, code) => {
    const answer = await m.raw(path, inquiry, { headers: headers() as Record<string, string> });
    expect(answer.status).toBe(200);
    expect(answer.json.result).toMatchObject({ resultStatus: "F", resultCode: code });
  });

  test("a missing signature gets INVALID_SIGNATURE; a missing Client-Id gets CLIENT_INVALID", async () => {
    expect((await m.raw(path, inquiry, { sign: false, headers: { "Client-Id": m.clientId, "Request-Time": "1" } })).json.result.resultCode).toBe("INVALID_SIGNATURE");
    expect((await m.raw(path, inquiry, { sign: false })).json.result.resultCode).toBe("CLIENT_INVALID");
  });

  test("every answer is signed with the sandbox key over the request URI, the client ID and response-time", async () => {
    for (const headers of [{}, { "Client-Id": "SANDBOX_NOBODY" }] as Record<string, string>[]) {
      const answer = await m.raw(`${path}?trace=1`, inquiry, { headers });
      expect(answer.headers.get("response-time")).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      const clientId = answer.headers.get("client-id")!;
      expect(checkResponseSignature({ headers: answer.headers, body: answer.text }, { path: `${path}?trace=1`, clientId }, h.antomKeys.publicKey)).toBe("verified");
    }
  });

  test("with --unsigned-errors gateway errors come unsigned and business answers signed; Sandbox-Scenario: unsigned drops any signature", async () => {
    const unsigned = await startHarness({ unsignedErrors: true });
    try {
      const u = await newMerchant(unsigned);
      const bad = await u.raw(path, inquiry, { headers: { Signature: "" } });
      expect([bad.json.result.resultCode, bad.headers.get("signature")]).toEqual(["INVALID_SIGNATURE", null]);
      const invalid = await u.raw(path, "{}");
      expect([invalid.json.result.resultCode, invalid.headers.get("signature")]).toEqual(["PARAM_ILLEGAL", null]);
      const ok = await u.raw(path, inquiry);
      expect(ok.headers.get("signature")).toMatch(/^algorithm=RSA256/);
      // A business refusal that happens to be PARAM_ILLEGAL is not a gateway error: signed.
      const notCard = await u.raw("/ams/sandbox/api/v1/payments/pay", JSON.stringify({ ...payBody(), paymentMethod: { paymentMethodType: "ALIPAY_CN" } }));
      expect([notCard.json.result.resultCode, notCard.headers.get("signature") !== null]).toEqual(["PARAM_ILLEGAL", true]);
      const client = await u.client.inquiryPayment({ paymentRequestId: "X" });
      expect(client.verification).toBe("verified");
    } finally {
      await unsigned.close();
    }
    const scenario = await m.raw(path, JSON.stringify(payBody()), { headers: { "Sandbox-Scenario": "unsigned" } });
    expect(scenario.headers.get("signature")).toBeNull();
  });
});

describe("the client against unsigned answers, as the official SDKs treat them", () => {
  const unsignedFetch = (request: Request) => {
    request.headers.set("Sandbox-Scenario", "unsigned");
    return fetch(request);
  };

  test("an unsigned S answer is refused; an unsigned F gateway error is returned, marked unsigned", async () => {
    const client = createAntomClient({ baseUrl: h.url, clientId: m.clientId, privateKey: m.keys.privateKey, antomPublicKey: h.antomKeys.publicKey, fetch: unsignedFetch });
    await expect(client.pay(payBody())).rejects.toMatchObject({ name: "AntomResponseSignatureError", reason: "unsigned-success" });
    const failure = await client.inquiryPayment({ paymentRequestId: "NOPE" });
    expect([failure.resultStatus, failure.resultCode, failure.verification]).toEqual(["F", "ORDER_NOT_EXIST", "unsigned"]);
    const unsignedErrors = await startHarness({ unsignedErrors: true });
    try {
      const stranger = createAntomClient({ baseUrl: unsignedErrors.url, clientId: "SANDBOX_STRANGER", privateKey: m.keys.privateKey, antomPublicKey: unsignedErrors.antomKeys.publicKey });
      const gateway = await stranger.inquiryPayment({ paymentRequestId: "X" });
      expect([gateway.resultCode, gateway.verification]).toEqual(["CLIENT_INVALID", "unsigned"]);
    } finally {
      await unsignedErrors.close();
    }
  });
});

describe("invalid input gets HTTP 200, F / PARAM_ILLEGAL, and the field path", () => {
  const pay = "/ams/sandbox/api/v1/payments/pay";
  test.each([
    ["a wrong type", () => JSON.stringify({ ...payBody(), paymentAmount: { currency: "USD", value: 1000 } }), "paymentAmount.value"],
    ["a missing field", () => JSON.stringify({ ...payBody(), paymentRequestId: undefined }), "paymentRequestId"],
    ["bad JSON", () => '{"paymentRequestId": "x", ', "(root)"],
    ["an array body", () => "[1,2]", "(root)"],
    ["a body nested 5,000 levels deep", () => `${"[".repeat(5000)}${"]".repeat(5000)}`, "maxDepth"],
    ["an empty body", () => "", "(root)"],
  ])("%s", async (_name, body, named) => {
    const answer = await m.raw(pay, body());
    expect(answer.status).toBe(200);
    expect(answer.json.result).toMatchObject({ resultStatus: "F", resultCode: "PARAM_ILLEGAL" });
    expect(answer.json.result.resultMessage).toContain(named);
  });

  test("a wrong content type, an oversize body, a GET and an unknown operation", async () => {
    expect((await m.raw(pay, JSON.stringify(payBody()), { headers: { "Content-Type": "text/plain" } })).json.result.resultMessage).toContain("Content-Type");
    const big = JSON.stringify({ ...payBody(), extendInfo: "x".repeat(2 * 1024 * 1024) });
    const oversize = await m.raw(pay, big);
    expect(oversize.json.result).toMatchObject({ resultCode: "PARAM_ILLEGAL" });
    expect(oversize.json.result.resultMessage).toContain("maxBytes");
    expect((await m.raw(pay, "", { method: "GET" })).json.result.resultCode).toBe("METHOD_NOT_SUPPORTED");
    expect((await m.raw("/ams/api/v1/payments/refund", "{}")).json.result.resultCode).toBe("NO_INTERFACE_DEF");
  });

  test("fields inside the self-referencing Goods.crossSell are validated (Prism lets them through)", async () => {
    const goods = (crossSell: object) => ({ referenceGoodsId: "SKU-1", goodsName: "Espresso machine", crossSell });
    const body = payBody();
    body.order.goods = [goods({ referenceGoodsId: "SKU-2", goodsName: "Cups", deliveryMethodType: "X".repeat(33) })];
    const tooLong = await m.raw(pay, JSON.stringify(body));
    expect(tooLong.json.result.resultCode).toBe("PARAM_ILLEGAL");
    expect(tooLong.json.result.resultMessage).toContain("order.goods[0].crossSell.deliveryMethodType");
    body.order.goods = [goods({ referenceGoodsId: "SKU-2", goodsName: "Cups", goodsQuantity: "abc" })];
    expect((await m.raw(pay, JSON.stringify(body))).json.result.resultMessage).toContain("order.goods[0].crossSell.goodsQuantity");
  });

  test("unknown request fields are ignored, as Antom ignores them", async () => {
    const answer = await m.call("pay", { ...payBody(), somethingNew: { nested: true } });
    expect(answer.result.resultStatus).toBe("S");
  });

  test("card data in an invalid body never comes back in the answer", async () => {
    const body = JSON.stringify({ ...payBody(), paymentMethod: JSON.stringify({ cardNo: "4054695723100768", cvv: "987" }) });
    const answer = await m.raw(pay, body);
    expect(answer.json.result.resultCode).toBe("PARAM_ILLEGAL");
    expect(answer.text).not.toContain("4054695723100768");
    expect(answer.text).not.toContain("987");
  });
});

describe("tenants", () => {
  test("client IDs never see each other's payments, and a reset clears one tenant only", async () => {
    const a = await newMerchant(h);
    const b = await newMerchant(h);
    const body = payBody();
    const paid = await a.call("pay", body);
    expect((await b.call("inquiryPayment", { paymentId: paid.paymentId })).result.resultCode).toBe("ORDER_NOT_EXIST");
    // The same paymentRequestId is a different payment for another merchant.
    expect((await b.call("pay", body)).paymentId).not.toBe(paid.paymentId);
    await a.control("POST", "/sandbox/clock", { clientId: a.clientId, advance: "P1D" });
    const clockA = (await a.control("GET", `/sandbox/clock?clientId=${a.clientId}`)).json.nowMs;
    const clockB = (await b.control("GET", `/sandbox/clock?clientId=${b.clientId}`)).json.nowMs;
    expect(clockA - clockB).toBeGreaterThan(23 * 3600 * 1000);
    expect((await a.control("POST", "/sandbox/reset", { clientId: a.clientId })).json).toEqual({ ok: true });
    expect((await a.call("inquiryPayment", { paymentId: paid.paymentId })).result.resultCode).toBe("ORDER_NOT_EXIST");
    expect((await b.call("inquiryPayment", { paymentRequestId: body.paymentRequestId })).result.resultStatus).toBe("S");
    // The registration survives the reset.
    expect((await a.call("inquiryPayment", { paymentId: "1" })).result.resultCode).toBe("ORDER_NOT_EXIST");
  });
});
