// Notifications from the sandbox: signed as Antom signs them, redelivered on Antom's schedule on
// the tenant's clock until acknowledged, listed attempt by attempt; disputes; custom bodies.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REDELIVERY_SCHEDULE_MS } from "../../src/sandbox/notifier.js";
import { eventually, newMerchant, payBody, startHarness, startReceiver, type Harness, type Receiver } from "./harness.js";

let h: Harness;
let receiver: Receiver;
beforeAll(async () => {
  h = await startHarness();
  receiver = await startReceiver(h.antomKeys.publicKey);
});
afterAll(async () => {
  await receiver.close();
  await h.close();
});

const listOf = async (m: { control: (method: string, path: string) => Promise<{ json: any }> }, clientId: string) =>
  (await m.control("GET", `/sandbox/notifications?clientId=${clientId}`)).json.notifications as any[];

describe("delivery", () => {
  test("notifications go to the merchant's registered URL when the payment names none", async () => {
    const own = await startReceiver(h.antomKeys.publicKey, "/registered");
    try {
      const m = await newMerchant(h, { notifyUrl: own.url });
      const pay = await m.call("pay", payBody());
      await eventually(() => own.received.length === 2);
      expect(own.received.map((n) => [n.kind, (n.body as any).paymentId, n.clientId])).toEqual([
        ["notifyPayment", pay.paymentId, m.clientId],
        ["notifyCapture", pay.paymentId, m.clientId],
      ]);
    } finally {
      await own.close();
    }
  });

  test("a receiver down for the first attempts gets every notification, in order, on Antom's schedule", async () => {
    const down = await startReceiver(h.antomKeys.publicKey);
    try {
      down.failNext(4);
      const m = await newMerchant(h);
      const first = await m.call("pay", payBody({ notifyUrl: down.url }));
      await eventually(async () => (await listOf(m, m.clientId))[0]?.attempts.length === 1);
      // Due times: 0 s, then +2 min, +10 min, +10 min, +1 h: the fifth attempt is at 1 h 22 min.
      await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "PT1H21M" });
      let list = await listOf(m, m.clientId);
      expect(list[0].attempts.map((a: any) => a.acknowledged)).toEqual([false, false, false, false]);
      expect(list[0].state).toBe("pending");
      await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "PT2M" });
      list = await listOf(m, m.clientId);
      expect(list.map((d) => [d.kind, d.state])).toEqual([
        ["notifyPayment", "acknowledged"],
        ["notifyCapture", "acknowledged"],
      ]);
      const attempts = list[0].attempts;
      expect(attempts.map((a: any) => a.httpStatus)).toEqual([500, 500, 500, 500, 200]);
      const gaps = attempts.slice(1).map((a: any, i: number) => Date.parse(a.time) - Date.parse(attempts[i].time));
      expect(gaps).toEqual(REDELIVERY_SCHEDULE_MS.slice(1, 5));
      expect(attempts[0].verdict).toMatch(/^HTTP status 500, expected 200; .*only S\/SUCCESS stops redelivery$/);
      expect(down.received.map((n) => n.kind)).toEqual(["notifyPayment", "notifyCapture"]);
      // The held notifyCapture starts its own schedule when notifyPayment is acknowledged.
      expect(list[1].attempts.map((a: any) => a.time)).toEqual([attempts[4].time]);
      expect((down.received[0].body as any).paymentId).toBe(first.paymentId);
    } finally {
      await down.close();
    }
  });

  test("after 8 unacknowledged attempts in about 24 hours, delivery stops", async () => {
    const dead = await startReceiver(h.antomKeys.publicKey);
    try {
      dead.failNext(1000);
      const m = await newMerchant(h);
      await m.call("pay", payBody({ notifyUrl: dead.url, factor: { captureMode: "MANUAL" } }));
      await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "P2D" });
      const [delivery] = await listOf(m, m.clientId);
      expect(delivery.state).toBe("exhausted");
      expect(delivery.attempts).toHaveLength(8);
      expect(dead.hits).toBe(8);
    } finally {
      await dead.close();
    }
  });

  test("a receiver that answers something other than S/SUCCESS is tried again; an unreachable one is reported as such", async () => {
    const m = await newMerchant(h);
    const closed = await startReceiver(h.antomKeys.publicKey);
    await closed.close();
    await m.call("pay", payBody({ notifyUrl: closed.url, factor: { captureMode: "MANUAL" } }));
    await eventually(async () => (await listOf(m, m.clientId))[0]?.attempts.length === 1);
    const [delivery] = await listOf(m, m.clientId);
    expect(delivery.attempts[0].verdict).toMatch(/not delivered \(ECONNREFUSED\)/);
    expect(delivery.nextAttemptTime).toBeDefined();
  });

  test("hosts other than loopback are refused unless allowed, and the refusal is listed", async () => {
    const m = await newMerchant(h);
    await m.call("pay", payBody({ notifyUrl: "https://merchant.example.com/notify", factor: { captureMode: "MANUAL" } }));
    const [delivery] = await listOf(m, m.clientId);
    expect(delivery.state).toBe("refused");
    expect(delivery.attempts[0].verdict).toContain("--allow-remote-notifications");
  });

  test("the list shows the body with card data masked", async () => {
    const m = await newMerchant(h);
    await m.call("pay", payBody({ notifyUrl: receiver.url, factor: { captureMode: "MANUAL" } }));
    const [delivery] = await listOf(m, m.clientId);
    expect(delivery.body.paymentResultInfo.cardNo).toBe("************0768");
    expect(JSON.stringify(delivery)).not.toContain("4054695723100768");
  });
});

describe("disputes and custom notifications", () => {
  test("a dispute sends DISPUTE_CREATED, and judging it DISPUTE_JUDGED with the result", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ notifyUrl: receiver.url }));
    const raised = await m.control("POST", "/sandbox/disputes", { clientId: m.clientId, paymentId: pay.paymentId, disputeReasonCode: "10.4" });
    expect(raised.status).toBe(200);
    const judged = await m.control("POST", `/sandbox/disputes/${raised.json.disputeId}/judge`, { clientId: m.clientId, disputeJudgedResult: "ACCEPT_BY_CUSTOMER" });
    expect(judged.status).toBe(200);
    await eventually(() => receiver.received.filter((n) => n.kind === "notifyDispute" && (n.body as any).paymentId === pay.paymentId).length === 2);
    const disputes = receiver.received.filter((n) => n.kind === "notifyDispute" && (n.body as any).paymentId === pay.paymentId).map((n) => n.body as any);
    expect(disputes.map((d) => [d.disputeNotificationType, d.disputeReasonCode, d.disputeJudgedResult])).toEqual([
      ["DISPUTE_CREATED", "10.4", undefined],
      ["DISPUTE_JUDGED", "10.4", "ACCEPT_BY_CUSTOMER"],
    ]);
    expect((await m.control("POST", "/sandbox/disputes/NOPE/judge", { clientId: m.clientId })).status).toBe(404);
  });

  test("any notification kind can be sent for a payment with field overrides, signed", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ notifyUrl: receiver.url, factor: { captureMode: "MANUAL" } }));
    const sent = await m.control("POST", "/sandbox/notifications", {
      clientId: m.clientId,
      paymentId: pay.paymentId,
      kind: "notifyPayment",
      overrides: { result: { resultCode: "DO_NOT_HONOR", resultStatus: "F" }, paymentTime: null },
    });
    expect(sent.status).toBe(200);
    expect(sent.json.attempts[0]).toMatchObject({ acknowledged: true });
    const custom = receiver.received.find((n) => n.kind === "notifyPayment" && (n.body as any).result.resultCode === "DO_NOT_HONOR");
    expect(custom?.body).toMatchObject({ paymentId: pay.paymentId, result: { resultStatus: "F", resultMessage: "success" } });
    expect((custom!.body as any).paymentTime).toBeUndefined();
    const bad = await m.control("POST", "/sandbox/notifications", { clientId: m.clientId, paymentId: pay.paymentId, kind: "notifyRefund" });
    expect(bad.json.error).toMatchObject({ path: "kind", rule: "enum" });
  });
});

describe("the clock", () => {
  test("moves relatively and synchronously; bad durations name the field", async () => {
    const m = await newMerchant(h);
    const before = (await m.control("GET", `/sandbox/clock?clientId=${m.clientId}`)).json.nowMs;
    const after = (await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "P1W2DT3H" })).json.nowMs;
    expect(after - before).toBeGreaterThanOrEqual((9 * 24 + 3) * 3600 * 1000);
    expect(after - before).toBeLessThan((9 * 24 + 3) * 3600 * 1000 + 5_000);
    const bad = await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "7 days" });
    expect([bad.status, bad.json.error.path, bad.json.error.rule]).toEqual([400, "advance", "pattern"]);
    expect((await m.control("GET", "/sandbox/clock")).json.error.path).toBe("clientId");
  });

  test("the control API refuses unregistered client IDs, oversized advances and broken paths", async () => {
    const m = await newMerchant(h);
    expect((await m.control("POST", "/sandbox/clock", { clientId: "SANDBOX_NEVER_REGISTERED", advance: "PT1M" })).json.error).toMatchObject({ path: "clientId", rule: "registered" });
    expect((await m.control("GET", "/sandbox/notifications?clientId=SANDBOX_NEVER_REGISTERED")).status).toBe(404);
    const huge = await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "P99999999W" });
    expect([huge.status, huge.json.error.rule]).toEqual([400, "maximum"]);
    expect((await m.control("GET", `/sandbox/clock?clientId=${m.clientId}`)).status).toBe(200);
    const broken = await m.control("GET", `/sandbox/payments/%E0%A4%A?clientId=${m.clientId}`);
    expect([broken.status, broken.json.error.rule]).toEqual([400, "uri"]);
  });

  test("GET /sandbox/payments/{id} shows state and history", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ factor: { captureMode: "MANUAL" } }));
    await m.call("capture", { captureRequestId: "C1", paymentId: pay.paymentId, captureAmount: { currency: "USD", value: "100" } });
    const state = await m.control("GET", `/sandbox/payments/${pay.paymentId}?clientId=${m.clientId}`);
    expect(state.json).toMatchObject({ status: "SUCCESS", captureMode: "MANUAL", card: { masked: "************0768" } });
    expect(state.json.history.map((e: any) => e.event)).toEqual(["pay 1000 USD", "authorized: SUCCESS", "captured 100 USD (C1)"]);
    expect((await m.control("GET", `/sandbox/payments/nope?clientId=${m.clientId}`)).status).toBe(404);
  });
});
