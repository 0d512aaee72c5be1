// With paymentNotifyUrl in a pay request, the mock sends notifyPayment and notifyCapture to that
// URL through the `callbacks` the contract declares on pay.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { validate } from "../../src/core/validate.js";
import { namedExamples, spec } from "../helpers/spec.js";
import { callOperation } from "./call.js";
import { ACK, startReceiver, type Receiver } from "./receiver.js";

const rawCard = namedExamples().find((e) => e.operationId === "pay" && e.direction === "request" && e.name === "rawCard")!.value;
const notificationExamples = (operationId: string) =>
  namedExamples()
    .filter((e) => e.operationId === operationId && e.direction === "request")
    .map((e) => e.value);

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** Pays with paymentNotifyUrl on the local receiver, under a path of its own, and returns that path. */
async function payWithNotifyUrl(path: string, example?: string): Promise<void> {
  const body = { ...structuredClone(rawCard), paymentNotifyUrl: `${receiver.url}${path}` };
  const answer = await callOperation("pay", body, { example });
  expect(answer.status).toBe(200);
}

// Which notification a body is, by its notifyType: notifyPayment has several, notifyCapture one.
const notifyTypes = (schema: string): string[] => spec.components.schemas[schema].properties.notifyType.anyOf[0].enum;
const NOTIFY_TYPES = { notifyPayment: notifyTypes("NotifyPaymentRequest"), notifyCapture: notifyTypes("NotifyCaptureRequest") };
const isA = (path: string, notification: keyof typeof NOTIFY_TYPES) => (r: { path: string; body: any }) =>
  r.path === path && NOTIFY_TYPES[notification].includes(r.body?.notifyType);

describe("notifications from a pay with paymentNotifyUrl", () => {
  test("notifyPayment and notifyCapture arrive and are valid notifications", async () => {
    const path = "/antom/notify/success";
    await payWithNotifyUrl(path);
    const [payment] = await receiver.waitFor(isA(path, "notifyPayment"));
    const [capture] = await receiver.waitFor(isA(path, "notifyCapture"));

    expect(validate("notifyPayment.request", payment.body).errors).toEqual([]);
    expect(validate("notifyCapture.request", capture.body).errors).toEqual([]);
    for (const r of [payment, capture]) {
      expect(r.method).toBe("POST");
      expect(r.headers["content-type"]).toMatch(/^application\/json/);
    }
  });

  test("each body is one of the contract's named examples of that notification, not the request's values", async () => {
    const path = "/antom/notify/bodies";
    await payWithNotifyUrl(path);
    const [payment] = await receiver.waitFor(isA(path, "notifyPayment"));
    const [capture] = await receiver.waitFor(isA(path, "notifyCapture"));
    expect(notificationExamples("notifyPayment")).toContainEqual(payment.body);
    expect(notificationExamples("notifyCapture")).toContainEqual(capture.body);
  });

  test("they come without the Client-Id, Request-Time and Signature headers Antom sends", async () => {
    const path = "/antom/notify/headers";
    await payWithNotifyUrl(path);
    const received = await receiver.waitFor((r) => r.path === path, 2);
    for (const r of received) {
      expect(r.headers["client-id"]).toBeUndefined();
      expect(r.headers["request-time"]).toBeUndefined();
      expect(r.headers["signature"]).toBeUndefined();
    }
  });

  test("they are sent whatever outcome the pay answer was asked for", async () => {
    const path = "/antom/notify/declined";
    await payWithNotifyUrl(path, "doNotHonor");
    await receiver.waitFor(isA(path, "notifyPayment"));
    await receiver.waitFor(isA(path, "notifyCapture"));
  });

  test("the receiver's acknowledgement is the one the contract asks for", () => {
    expect(validate("notifyPayment.response", ACK).errors).toEqual([]);
    expect(validate("notifyCapture.response", ACK).errors).toEqual([]);
  });

  test("a pay without paymentNotifyUrl is answered as usual and the mock stays up", async () => {
    const { paymentNotifyUrl: _, ...body } = structuredClone(rawCard);
    const answer = await callOperation("pay", body);
    expect(answer.status).toBe(200);
    expect(answer.body.result.resultStatus).toBe("S");
    // Prism fails to notify an empty URL; the next call proves it shrugged that off.
    expect((await callOperation("inquiryPayment", { paymentId: answer.body.paymentId })).status).toBe(200);
  });
});
