// pay on the sandbox: outcomes by test card, 3-D Secure, the hosted page, capture modes, card
// tokens, idempotency (also under concurrency) and expiry.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TEST_CARDS } from "../../src/sandbox/test-cards.js";
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

const expectedStatus = (card: (typeof TEST_CARDS)[number]) =>
  card.outcome.kind === "challenge" ? ["U", "PAYMENT_IN_PROCESS"] : card.outcome.kind === "decline" ? [card.outcome.resultStatus ?? "F", card.outcome.resultCode] : ["S", "SUCCESS"];

describe("outcomes chosen by the test card", () => {
  test.each(TEST_CARDS.map((c) => [c.cardNo, c.description, c] as const))("%s (%s)", async (_no, _d, card) => {
    const m = await newMerchant(h);
    const answer = await m.call("pay", payBody({ cardNo: card.cardNo }));
    const [status, code] = expectedStatus(card);
    expect([answer.result.resultStatus, answer.result.resultCode]).toEqual([status, code]);
    if (status === "S") expect(answer.paymentResultInfo).toMatchObject({ cardNo: `************${card.cardNo.slice(-4)}`, cardBrand: card.brand });
    if (card.outcome.kind === "challenge") expect(answer.normalUrl).toMatch(new RegExp(`^${h.url}/sandbox/pages/challenge/${answer.paymentId}\\?clientId=`));
  });

  test.each([
    ["expiry month 13", { meta: { expiryMonth: "13" } }, "INVALID_EXPIRATION_DATE"],
    ["an expiry in the past", { meta: { expiryMonth: "01", expiryYear: "20" } }, "INVALID_EXPIRATION_DATE"],
    ["a 2-digit CVV", { meta: { cvv: "99" } }, "INVALID_PAYMENT_METHOD_META_DATA"],
    ["amount 11", { amount: "11" }, "RISK_REJECT"],
    ["a number that fails Luhn", { cardNo: "4054695723100769" }, "INVALID_CARD_NUMBER"],
  ] as const)("%s fails with %s", async (_name, overrides, code) => {
    const m = await newMerchant(h);
    const answer = await m.call("pay", payBody(overrides as any));
    expect(answer.result).toMatchObject({ resultStatus: "F", resultCode: code });
  });

  test("any other Luhn-valid number is authorized, with its brand", async () => {
    const m = await newMerchant(h);
    const answer = await m.call("pay", payBody({ cardNo: "378282246310005" }));
    expect(answer.result.resultStatus).toBe("S");
    expect(answer.paymentResultInfo.cardBrand).toBe("AMEX");
  });

  test("is3DSAuthentication turns a success card into a challenge; enableAuthenticationUpgrade upgrades a soft decline", async () => {
    const m = await newMerchant(h);
    expect((await m.call("pay", payBody({ meta: { is3DSAuthentication: true } }))).result.resultCode).toBe("PAYMENT_IN_PROCESS");
    expect((await m.call("pay", payBody({ cardNo: "4000000000000341", meta: { enableAuthenticationUpgrade: true } }))).result.resultCode).toBe("PAYMENT_IN_PROCESS");
  });
});

describe("3-D Secure and the hosted page", () => {
  test("a passed challenge authorizes, captures (automatic) and notifies; inquiry agrees", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ cardNo: "4000000000003220", notifyUrl: receiver.url }));
    expect((await m.call("inquiryPayment", { paymentId: pay.paymentId })).paymentStatus).toBe("PROCESSING");
    const done = await m.control("POST", `/sandbox/payments/${pay.paymentId}/challenge`, { clientId: m.clientId, outcome: "pass" });
    expect(done.status).toBe(200);
    expect(done.json.status).toBe("SUCCESS");
    await eventually(() => receiver.received.filter((n) => (n.body as any).paymentId === pay.paymentId).length === 2);
    const kinds = receiver.received.filter((n) => (n.body as any).paymentId === pay.paymentId).map((n) => n.kind);
    expect(kinds).toEqual(["notifyPayment", "notifyCapture"]);
    const inquiry = await m.call("inquiryPayment", { paymentRequestId: pay.paymentRequestId });
    expect(inquiry.paymentStatus).toBe("SUCCESS");
    expect(inquiry.paymentResultInfo.threeDSResult.challenged).toBe(true);
    expect(inquiry.transactions).toHaveLength(1);
  });

  test("a failed challenge fails the payment with USER_PAYMENT_VERIFICATION_FAILED; a second answer is refused", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ cardNo: "4000000000003220" }));
    const failed = await m.control("POST", `/sandbox/payments/${pay.paymentId}/challenge`, { clientId: m.clientId, outcome: "fail" });
    expect(failed.json).toMatchObject({ status: "FAIL", resultCode: "USER_PAYMENT_VERIFICATION_FAILED" });
    const again = await m.control("POST", `/sandbox/payments/${pay.paymentId}/challenge`, { clientId: m.clientId, outcome: "pass" });
    expect(again.status).toBe(409);
  });

  test("the challenge page is a form a person can pass; it sends the buyer back to paymentRedirectUrl", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ cardNo: "4000000000003220" }));
    const page = await fetch(pay.normalUrl);
    const html = await page.text();
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(html).toContain("Pass the challenge");
    const action = /action="([^"]+)"/.exec(html)![1].replace(/&#38;/g, "&");
    const submitted = await fetch(`${h.url}${action}`, { method: "POST", body: "outcome=pass", headers: { "Content-Type": "application/x-www-form-urlencoded" }, redirect: "manual" });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get("location")).toBe("https://www.example.com/checkout/result");
    expect((await m.call("inquiryPayment", { paymentId: pay.paymentId })).paymentStatus).toBe("SUCCESS");
  });

  test("a pay without card data opens the hosted page; a card entered there decides, a challenge card leads to the challenge", async () => {
    const m = await newMerchant(h);
    const hosted = payBody();
    delete hosted.paymentMethod.paymentMethodMetaData;
    const pay = await m.call("pay", hosted);
    expect(pay.result.resultCode).toBe("PAYMENT_IN_PROCESS");
    expect(pay.normalUrl).toContain("/sandbox/pages/hosted/");
    expect(await (await fetch(pay.normalUrl)).text()).toContain("Card number");
    const entered = await m.control("POST", `/sandbox/payments/${pay.paymentId}/card`, { clientId: m.clientId, cardNo: "4000000000003220", expiryMonth: "12", expiryYear: "30", cvv: "123" });
    expect(entered.json).toMatchObject({ status: "PROCESSING", pending: "challenge" });
    await m.control("POST", `/sandbox/payments/${pay.paymentId}/challenge`, { clientId: m.clientId, outcome: "pass" });
    expect((await m.call("inquiryPayment", { paymentId: pay.paymentId })).paymentStatus).toBe("SUCCESS");

    const declined = hosted;
    declined.paymentRequestId = `${hosted.paymentRequestId}_2`;
    const second = await m.call("pay", declined);
    const form = await fetch(second.normalUrl.replace("?", "?").replace("/pages/hosted/", "/pages/hosted/"), {
      method: "POST",
      body: "cardNo=4054+6927+6017+4822&expiryMonth=12&expiryYear=30&cvv=123",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(form.status).toBe(303);
    expect((await m.call("inquiryPayment", { paymentId: second.paymentId })).paymentResultCode).toBe("DO_NOT_HONOR");
  });
});

describe("capture modes and card tokens", () => {
  test("AUTOMATIC captures at once (one CAPTURE transaction, notifyCapture); MANUAL sets authExpiryTime 7 days ahead", async () => {
    const m = await newMerchant(h);
    const auto = await m.call("pay", payBody({ notifyUrl: receiver.url }));
    expect(auto.authExpiryTime).toBeUndefined();
    const inquiry = await m.call("inquiryPayment", { paymentId: auto.paymentId });
    expect(inquiry.transactions).toEqual([expect.objectContaining({ transactionType: "CAPTURE", transactionStatus: "SUCCESS", transactionAmount: auto.paymentAmount })]);
    await eventually(() => receiver.received.some((n) => n.kind === "notifyCapture" && (n.body as any).paymentId === auto.paymentId));

    const manual = await m.call("pay", payBody({ factor: { captureMode: "MANUAL" } }));
    expect(Date.parse(manual.authExpiryTime) - Date.parse(manual.paymentTime)).toBe(7 * 24 * 3600 * 1000);
    expect((await m.call("inquiryPayment", { paymentId: manual.paymentId })).transactions).toBeUndefined();
  });

  test("tokenize returns a cardToken, and a later pay with it in paymentMethodId works like the card", async () => {
    const m = await newMerchant(h);
    const first = await m.call("pay", payBody({ meta: { tokenize: true } }));
    const token = first.paymentResultInfo.cardToken;
    expect(token).toMatch(/^ALIPAY/);
    const again = payBody();
    again.paymentMethod = { paymentMethodType: "CARD", paymentMethodId: token };
    const second = await m.call("pay", again);
    expect(second.result.resultStatus).toBe("S");
    expect(second.paymentResultInfo).toMatchObject({ cardToken: token, cardNo: "************0768" });
    const unknown = payBody();
    unknown.paymentMethod = { paymentMethodType: "CARD", paymentMethodId: "ALIPAYnotAToken" };
    expect((await m.call("pay", unknown)).result.resultCode).toBe("PARAM_ILLEGAL");
    // Another merchant cannot use this merchant's token.
    const other = await newMerchant(h);
    again.paymentRequestId = `${again.paymentRequestId}_other`;
    expect((await other.call("pay", again)).result.resultCode).toBe("PARAM_ILLEGAL");
  });
});

describe("paymentRequestId is the idempotency key", () => {
  test("the same body gives the same answer and paymentId; another amount, currency or card gives REPEAT_REQ_INCONSISTENT", async () => {
    const m = await newMerchant(h);
    const body = payBody();
    const first = await m.call("pay", body);
    const second = await m.call("pay", body);
    expect(second).toEqual(first);
    for (const changed of [payBody({ paymentRequestId: body.paymentRequestId, amount: "999" }), payBody({ paymentRequestId: body.paymentRequestId, currency: "EUR" }), payBody({ paymentRequestId: body.paymentRequestId, cardNo: "5162774114974622" })]) {
      expect((await m.call("pay", changed)).result).toMatchObject({ resultStatus: "F", resultCode: "REPEAT_REQ_INCONSISTENT" });
    }
  });

  test("100 identical pays sent in parallel create exactly one payment", async () => {
    const m = await newMerchant(h);
    const body = payBody({ factor: { captureMode: "MANUAL" } });
    const answers = await Promise.all(Array.from({ length: 100 }, () => m.call("pay", body)));
    expect(new Set(answers.map((a) => a.paymentId)).size).toBe(1);
    expect(answers.every((a) => a.result.resultStatus === "S")).toBe(true);
    const payments = (await h.sandbox.engine.store.list(m.clientId, "payments")) as unknown[];
    expect(payments).toHaveLength(1);
  });
});

describe("expiry", () => {
  test("an unfinished payment fails at its expiry (default about 14 minutes) and notifyPayment says so", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ cardNo: "4000000000003220", notifyUrl: receiver.url }));
    await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "PT13M" });
    expect((await m.call("inquiryPayment", { paymentId: pay.paymentId })).paymentStatus).toBe("PROCESSING");
    await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "PT2M" });
    const inquiry = await m.call("inquiryPayment", { paymentId: pay.paymentId });
    expect(inquiry).toMatchObject({ paymentStatus: "FAIL", paymentResultCode: "ORDER_IS_CLOSED" });
    const notified = receiver.received.find((n) => (n.body as any).paymentId === pay.paymentId);
    expect(notified?.body.result).toMatchObject({ resultStatus: "F", resultCode: "ORDER_IS_CLOSED" });
  });

  test("paymentExpiryTime is honoured", async () => {
    const m = await newMerchant(h);
    const clock = await m.control("GET", `/sandbox/clock?clientId=${m.clientId}`);
    const expiry = new Date(clock.json.nowMs + 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
    const pay = await m.call("pay", payBody({ cardNo: "4000000000003220", extra: { paymentExpiryTime: expiry } }));
    await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "PT6M" });
    expect((await m.call("inquiryPayment", { paymentId: pay.paymentId })).paymentStatus).toBe("FAIL");
  });
});
