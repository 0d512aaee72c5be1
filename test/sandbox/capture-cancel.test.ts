// capture, cancel, inquiryPayment and consult on the sandbox: the limits of an authorization,
// their atomicity under concurrency, the clock's effect, and the state inquiry reports.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { newMerchant, payBody, startHarness, type Harness, type Merchant } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

let n = 0;
const captureOf = (paymentId: string, value: string, captureRequestId = `CAP_${process.pid}_${++n}`) => ({ captureRequestId, paymentId, captureAmount: { currency: "USD", value } });
const authorize = async (m: Merchant, cardNo = "4054695723100768") => (await m.call("pay", payBody({ cardNo, factor: { captureMode: "MANUAL" } }))).paymentId as string;

describe("capture", () => {
  test("partial captures add up to the authorization, and no further", async () => {
    const m = await newMerchant(h);
    const paymentId = await authorize(m);
    expect((await m.call("capture", captureOf(paymentId, "600"))).result.resultStatus).toBe("S");
    expect((await m.call("capture", captureOf(paymentId, "400"))).result.resultStatus).toBe("S");
    expect((await m.call("capture", captureOf(paymentId, "1"))).result).toMatchObject({ resultStatus: "F", resultCode: "CAPTURE_AMOUNT_EXCEED_AUTH_LIMIT" });
    const inquiry = await m.call("inquiryPayment", { paymentId });
    expect(inquiry.transactions.map((t: any) => [t.transactionType, t.transactionStatus, t.transactionAmount.value])).toEqual([
      ["CAPTURE", "SUCCESS", "600"],
      ["CAPTURE", "SUCCESS", "400"],
    ]);
  });

  test("parallel captures never exceed the authorization", async () => {
    const m = await newMerchant(h);
    const paymentId = await authorize(m);
    const answers = await Promise.all(Array.from({ length: 20 }, () => m.call("capture", captureOf(paymentId, "300"))));
    const captured = answers.filter((a) => a.result.resultStatus === "S");
    expect(captured).toHaveLength(3);
    expect(answers.filter((a) => a.result.resultCode === "CAPTURE_AMOUNT_EXCEED_AUTH_LIMIT")).toHaveLength(17);
  });

  test("captureRequestId is idempotent: the same capture answers the same; another amount is REPEAT_REQ_INCONSISTENT", async () => {
    const m = await newMerchant(h);
    const paymentId = await authorize(m);
    const body = captureOf(paymentId, "500");
    const first = await m.call("capture", body);
    const parallel = await Promise.all(Array.from({ length: 10 }, () => m.call("capture", body)));
    for (const again of parallel) expect(again).toEqual(first);
    expect((await m.call("capture", { ...body, captureAmount: { currency: "USD", value: "400" } })).result.resultCode).toBe("REPEAT_REQ_INCONSISTENT");
    expect((await m.call("inquiryPayment", { paymentId })).transactions).toHaveLength(1);
  });

  test("a card that allows one capture answers MULTI_CAPTURE_NOT_SUPPORTED to the second", async () => {
    const m = await newMerchant(h);
    const paymentId = await authorize(m, "4000000000000259");
    expect((await m.call("capture", captureOf(paymentId, "500"))).result.resultStatus).toBe("S");
    expect((await m.call("capture", captureOf(paymentId, "500"))).result.resultCode).toBe("MULTI_CAPTURE_NOT_SUPPORTED");
  });

  test("past authExpiryTime a capture gets AUTH_EXPIRED; after a cancel, AUTH_CANCELLED; unknown payment, AUTH_NOT_FOUND", async () => {
    const m = await newMerchant(h);
    const expiring = await authorize(m);
    const cancelled = await authorize(m);
    await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "P6DT23H" });
    expect((await m.call("capture", captureOf(expiring, "100"))).result.resultStatus).toBe("S");
    await m.control("POST", "/sandbox/clock", { clientId: m.clientId, advance: "PT2H" });
    expect((await m.call("capture", captureOf(expiring, "100"))).result.resultCode).toBe("AUTH_EXPIRED");
    expect((await m.call("cancel", { paymentId: cancelled })).result.resultStatus).toBe("S");
    expect((await m.call("capture", captureOf(cancelled, "100"))).result.resultCode).toBe("AUTH_CANCELLED");
    const stray = captureOf("20240101194010800100188570271832381", "100");
    expect((await m.call("capture", stray)).result.resultCode).toBe("AUTH_NOT_FOUND");
    // The refused captureRequestId stays free for the right payment.
    const fresh = await authorize(m);
    expect((await m.call("capture", { ...stray, paymentId: fresh })).result.resultStatus).toBe("S");
  });

  test("a failed payment cannot be captured, and a capture in another currency names the field", async () => {
    const m = await newMerchant(h);
    const declined = payBody({ cardNo: "4054692760174822" });
    await m.call("pay", declined);
    const failed = (await m.call("inquiryPayment", { paymentRequestId: declined.paymentRequestId })).paymentId;
    expect((await m.call("capture", captureOf(failed, "100"))).result.resultCode).toBe("ORDER_STATUS_INVALID");
    const paymentId = await authorize(m);
    const euro = await m.call("capture", { ...captureOf(paymentId, "100"), captureAmount: { currency: "EUR", value: "100" } });
    expect(euro.result.resultCode).toBe("PARAM_ILLEGAL");
    expect(euro.result.resultMessage).toContain("captureAmount.currency");
  });
});

describe("cancel", () => {
  test("an authorized, uncaptured payment is cancelled; a repeat answers the same; inquiry says CANCELLED", async () => {
    const m = await newMerchant(h);
    const paymentId = await authorize(m);
    const first = await m.call("cancel", { paymentId });
    expect(first).toMatchObject({ result: { resultStatus: "S" }, paymentId });
    expect(await m.call("cancel", { paymentId })).toEqual(first);
    expect((await m.call("inquiryPayment", { paymentId })).paymentStatus).toBe("CANCELLED");
  });

  test("a captured or failed payment cannot be cancelled (ORDER_STATUS_INVALID); an unknown one gets ORDER_NOT_EXIST", async () => {
    const m = await newMerchant(h);
    const captured = (await m.call("pay", payBody())).paymentId;
    expect((await m.call("cancel", { paymentId: captured })).result.resultCode).toBe("ORDER_STATUS_INVALID");
    const body = payBody({ cardNo: "4054692760174822" });
    await m.call("pay", body);
    expect((await m.call("cancel", { paymentRequestId: body.paymentRequestId })).result.resultCode).toBe("ORDER_STATUS_INVALID");
    expect((await m.call("cancel", { paymentRequestId: "NOPE" })).result.resultCode).toBe("ORDER_NOT_EXIST");
  });

  test("a payment waiting for its 3-D Secure challenge can be cancelled", async () => {
    const m = await newMerchant(h);
    const pay = await m.call("pay", payBody({ cardNo: "4000000000003220" }));
    expect((await m.call("cancel", { paymentId: pay.paymentId })).result.resultStatus).toBe("S");
  });
});

describe("inquiryPayment", () => {
  test("unknown payments get ORDER_NOT_EXIST; a declined one reports FAIL with the decline code", async () => {
    const m = await newMerchant(h);
    expect((await m.call("inquiryPayment", { paymentId: "20240101194010800100188570271832381" })).result.resultCode).toBe("ORDER_NOT_EXIST");
    const body = payBody({ cardNo: "4000000000009995" });
    await m.call("pay", body);
    expect(await m.call("inquiryPayment", { paymentRequestId: body.paymentRequestId })).toMatchObject({
      result: { resultStatus: "S" },
      paymentStatus: "FAIL",
      paymentResultCode: "USER_BALANCE_NOT_ENOUGH",
    });
  });
});

describe("consult", () => {
  const consultBody = (currency: string, value: string) => ({ productCode: "CASHIER_PAYMENT", paymentAmount: { currency, value }, allowedPaymentMethodRegions: ["GLOBAL"], env: { terminalType: "WEB" } });

  test("answers the card option with brands and funding; installments by currency and amount", async () => {
    const m = await newMerchant(h);
    const usd = await m.call("consult", consultBody("USD", "3000"));
    const card = usd.paymentOptions[0];
    expect(card).toMatchObject({ paymentMethodType: "CARD", enabled: true });
    expect(card.paymentOptionDetail.supportCardBrands.map((b: any) => b.cardBrand)).toContain("VISA");
    expect(card.installment).toBeUndefined();
    const brl = await m.call("consult", consultBody("BRL", "7000"));
    expect(brl.paymentOptions[0].installment.plans.map((p: any) => p.installmentNum)).toEqual(["3", "6"]);
  });

  test("an unsupported currency gets CURRENCY_NOT_SUPPORT", async () => {
    const m = await newMerchant(h);
    expect((await m.call("consult", consultBody("XAF", "3000"))).result.resultCode).toBe("CURRENCY_NOT_SUPPORT");
  });
});
