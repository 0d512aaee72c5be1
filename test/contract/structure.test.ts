import { describe, expect, test } from "vitest";
import { deref, spec, topLevelOperations } from "../helpers/spec.js";

const CALLS = ["consult", "pay", "cancel", "capture", "inquiryPayment"];
const NOTIFICATIONS = ["notifyPayment", "notifyCapture", "notifyDispute"];

describe("the contract's shape", () => {
  test("is OpenAPI 3.1 with the five operations as POST /v1/payments/<operationId>", () => {
    expect(spec.openapi).toBe("3.1.0");
    for (const id of CALLS) {
      const item = spec.paths[`/v1/payments/${id}`];
      expect(item, id).toBeDefined();
      expect(Object.keys(item)).toEqual(["post"]);
      expect(item.post.operationId).toBe(id);
    }
    expect(Object.keys(spec.paths).sort()).toEqual(CALLS.map((id) => `/v1/payments/${id}`).sort());
  });

  test("declares the three notifications as webhooks, each acknowledged with the SUCCESS body", () => {
    expect(Object.keys(spec.webhooks).sort()).toEqual([...NOTIFICATIONS].sort());
    for (const id of NOTIFICATIONS) {
      const op = deref(spec.webhooks[id].post);
      expect(op.operationId).toBe(id);
      const ack = op.responses["200"].content["application/json"];
      expect(ack.schema.$ref).toBe("#/components/schemas/NotificationAck");
      const values = Object.values(ack.examples).map((e: any) => e.value);
      expect(values).toContainEqual({ result: { resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success" } });
    }
  });

  test("pay declares notifyPayment and notifyCapture as callbacks to paymentNotifyUrl, with the webhook schemas", () => {
    const callbacks = spec.paths["/v1/payments/pay"].post.callbacks;
    for (const id of ["notifyPayment", "notifyCapture"]) {
      const item = callbacks[id]["{$request.body#/paymentNotifyUrl}"];
      expect(item.post.requestBody.content["application/json"].schema).toEqual(
        spec.webhooks[id].post.requestBody.content["application/json"].schema,
      );
    }
  });

  test("serves production under /ams/api and the sandbox under /ams/sandbox/api on every regional gateway", () => {
    const urls = spec.servers.map((s: any) => s.url);
    expect(urls).toEqual(["https://{gateway}/ams/api", "https://{gateway}/ams/sandbox/api"]);
    for (const server of spec.servers) {
      expect(server.variables.gateway.enum).toEqual(
        expect.arrayContaining(["open-sea-global.alipay.com", "open-na-global.alipay.com", "open-de-global.alipay.com"]),
      );
    }
  });

  test("every operation and notification requires the signing headers; calls document the signed response headers", () => {
    expect(spec.components.securitySchemes.AntomSignature).toMatchObject({ type: "apiKey", in: "header", name: "Signature" });
    for (const { channel, op } of topLevelOperations()) {
      const required = (op.parameters ?? []).filter((p: any) => p.in === "header" && p.required).map((p: any) => p.name);
      expect(required, op.operationId).toEqual(["Client-Id", "Request-Time", "Signature"]);
      if (channel === "call") {
        expect(Object.keys(op.responses["200"].headers), op.operationId).toEqual(["client-id", "response-time", "signature"]);
      }
    }
  });

  test("every operation has a summary, a description and examples on both bodies", () => {
    for (const { op } of topLevelOperations()) {
      expect(op.summary, op.operationId).toBeTruthy();
      expect(op.description, op.operationId).toBeTruthy();
      expect(Object.keys(op.requestBody.content["application/json"].examples ?? {}).length, op.operationId).toBeGreaterThan(0);
      expect(Object.keys(op.responses["200"].content["application/json"].examples ?? {}).length, op.operationId).toBeGreaterThan(0);
    }
  });

  test("no schema forbids additional properties", () => {
    const offenders: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null || typeof node !== "object") return;
      if ((node as any).additionalProperties === false || (node as any).unevaluatedProperties === false) offenders.push(path);
      for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`);
    };
    walk(spec.components.schemas, "#/components/schemas");
    expect(offenders).toEqual([]);
  });
});
