// pay: a card payment. The outcome is chosen by the test card (test-cards.ts); paymentRequestId
// is the idempotency key, and the first answer for it is the answer for every identical retry.
import { hash } from "node:crypto";
import type { components } from "../../../generated/antom.js";
import { failureResult, successResult } from "../../core/antom-result.js";
import { isoTime } from "../clock.js";
import { AUTH_VALIDITY_MS, DEFAULT_PAYMENT_EXPIRY_MS, type Engine, paymentResultInfo } from "../engine.js";
import { automaticCaptureRequestId, newCaptureId, newCardToken, newPaymentId } from "../ids.js";
import type { CaptureRecord, CardSummary, CardTokenRecord, PaymentRecord, PaymentRequestRecord, PayResponse } from "../model.js";
import { testCard, type TestCard } from "../test-cards.js";

type PayRequest = components["schemas"]["PayRequest"];

const truthy = (value: unknown) => value === true || value === "true";

/** Antom compares these to tell a retry from a different payment under the same paymentRequestId. */
function fingerprint(body: PayRequest): string {
  const method = body.paymentMethod as Record<string, any>;
  const key = [body.paymentAmount?.currency, body.paymentAmount?.value, method.paymentMethodType, method.paymentMethodId ?? null, method.paymentMethodMetaData?.cardNo ?? null];
  return hash("sha256", JSON.stringify(key), "hex");
}

/** The answer to a pay whose paymentRequestId is already filed: the first answer for a retry, else REPEAT_REQ_INCONSISTENT. */
function repeatAnswer(record: PaymentRequestRecord, print: string, paymentRequestId: string): PayResponse {
  return record.fingerprint === print
    ? (JSON.parse(record.answer) as PayResponse)
    : { result: failureResult("REPEAT_REQ_INCONSISTENT", `paymentRequestId ${paymentRequestId} was used for a payment with another amount, currency or payment method`) };
}

const masked = (cardNo: string) => `${"*".repeat(Math.max(cardNo.length - 4, 0))}${cardNo.slice(-4)}`;

type Decision =
  | { kind: "fail"; resultCode: string; resultMessage: string }
  | { kind: "unknown"; resultCode: string; resultMessage: string; card: CardSummary }
  | { kind: "page"; page: "challenge" | "hosted"; card?: CardSummary }
  | { kind: "authorized"; card: CardSummary };

/** What the card and the request ask for; the pure part of pay. */
export function decide(card: TestCard, meta: Record<string, any>, amountValue: string, now: number, tokenize: boolean, existingToken?: string): Decision {
  const summary: CardSummary = {
    masked: masked(card.cardNo),
    brand: card.brand,
    funding: card.funding,
    issuingCountry: card.issuingCountry,
    multiCapture: card.multiCapture ?? true,
    ...(existingToken ? { cardToken: existingToken } : tokenize ? { cardToken: newCardToken() } : {}),
  };
  if (meta.expiryMonth !== undefined) {
    const month = Number(meta.expiryMonth);
    const year = 2000 + Number(meta.expiryYear ?? 99);
    const today = new Date(now);
    const past = year < today.getUTCFullYear() || (year === today.getUTCFullYear() && month < today.getUTCMonth() + 1);
    if (month < 1 || month > 12 || past) return { kind: "fail", resultCode: "INVALID_EXPIRATION_DATE", resultMessage: "the card's expiry date is not valid" };
  }
  if (typeof meta.cvv === "string" && meta.cvv.length === 2) {
    return { kind: "fail", resultCode: "INVALID_PAYMENT_METHOD_META_DATA", resultMessage: "paymentMethod.paymentMethodMetaData.cvv is not a valid CVV" };
  }
  if (amountValue === "11") return { kind: "fail", resultCode: "RISK_REJECT", resultMessage: "rejected by risk control (test amount 11)" };
  const wants3DS = truthy(meta.is3DSAuthentication);
  switch (card.outcome.kind) {
    case "challenge":
      return { kind: "page", page: "challenge", card: { ...summary, threeDS: { challenged: true } } };
    case "frictionless":
      return { kind: "authorized", card: { ...summary, threeDS: { challenged: false } } };
    case "authorize":
      return wants3DS ? { kind: "page", page: "challenge", card: { ...summary, threeDS: { challenged: true } } } : { kind: "authorized", card: summary };
    case "decline": {
      const { resultCode, resultStatus } = card.outcome;
      if (resultCode === "AUTHENTICATION_REQUIRED" && (wants3DS || truthy(meta.enableAuthenticationUpgrade))) {
        return { kind: "page", page: "challenge", card: { ...summary, threeDS: { challenged: true } } };
      }
      if (resultStatus === "U") return { kind: "unknown", resultCode, resultMessage: "the outcome is not known yet; inquire", card: summary };
      return { kind: "fail", resultCode, resultMessage: card.description };
    }
  }
}

/** Completes an authorization: SUCCESS, and with automatic capture the capture at once. */
export function authorize(payment: PaymentRecord, card: CardSummary, now: number): PaymentRecord {
  // Object.assign rather than `{ ...payment, card, ... }`: in V8 a spread copy that gains fields
  // the payment lacks (card, paymentTime) costs about 2 µs per field; this runs on every successful pay.
  const history = [...payment.history, { time: now, event: "authorized: SUCCESS" }];
  if (payment.captureMode === "MANUAL") {
    return Object.assign({}, payment, { status: "SUCCESS" as const, resultCode: "SUCCESS", resultMessage: "success", card, pending: undefined, paymentTime: now, authExpiryTime: now + AUTH_VALIDITY_MS, history });
  }
  const capture: CaptureRecord = {
    captureRequestId: automaticCaptureRequestId(payment.paymentId),
    captureId: newCaptureId(now),
    amount: payment.amount,
    time: now,
    status: "S",
    resultCode: "SUCCESS",
    resultMessage: "success",
    automatic: true,
  };
  history.push({ time: now, event: `captured automatically: ${payment.amount.value} ${payment.amount.currency}` });
  return Object.assign({}, payment, { status: "SUCCESS" as const, resultCode: "SUCCESS", resultMessage: "success", card, pending: undefined, paymentTime: now, history, captures: [capture] });
}

/** The pay answer for a payment in its current state. */
export function payAnswer(payment: PaymentRecord, engine: Engine, tenant: string): PayResponse {
  const createTime = isoTime(payment.createTime);
  const base = {
    paymentRequestId: payment.paymentRequestId,
    paymentId: payment.paymentId,
    paymentAmount: payment.amount,
    paymentCreateTime: createTime,
  };
  if (payment.status === "SUCCESS") {
    // Written out field by field (the answer of every successful pay): spreading `base` into a
    // literal that then gains fields costs several times more in V8. Field order is the answer's.
    const answer: Record<string, unknown> = {
      result: successResult(),
      paymentRequestId: base.paymentRequestId,
      paymentId: base.paymentId,
      paymentAmount: base.paymentAmount,
      paymentCreateTime: createTime,
      // A card authorized at once was paid when it was created: one time written once.
      paymentTime: payment.paymentTime === payment.createTime ? createTime : isoTime(payment.paymentTime!),
    };
    if (payment.authExpiryTime !== undefined) answer.authExpiryTime = isoTime(payment.authExpiryTime);
    answer.paymentResultInfo = paymentResultInfo(payment);
    return answer as PayResponse;
  }
  if (payment.status === "PROCESSING" && payment.pending) {
    return {
      result: { resultCode: "PAYMENT_IN_PROCESS", resultStatus: "U", resultMessage: "payment in process" },
      ...base,
      normalUrl: `${engine.baseUrl()}/sandbox/pages/${payment.pending}/${payment.paymentId}?clientId=${encodeURIComponent(tenant)}`,
    } as PayResponse;
  }
  if (payment.status === "PROCESSING") return { result: { resultCode: payment.resultCode, resultStatus: "U", resultMessage: payment.resultMessage }, ...base } as PayResponse;
  return { result: failureResult(payment.resultCode, payment.resultMessage) } as PayResponse;
}

export async function pay(engine: Engine, tenant: string, input: PayRequest): Promise<PayResponse> {
  // The contract lets a subscription payment leave paymentAmount out; the sandbox simulates card payments only.
  if (!input.paymentAmount) return { result: failureResult("PARAM_ILLEGAL", "paymentAmount: required by the sandbox, which simulates card payments (subscription payments are not simulated)") } as PayResponse;
  const body = input as PayRequest & { paymentAmount: NonNullable<PayRequest["paymentAmount"]> };
  const now = await engine.clocks.now(tenant);
  const print = fingerprint(body);
  const earlier = await engine.store.get<PaymentRequestRecord>(tenant, "paymentRequests", body.paymentRequestId);
  if (earlier) return repeatAnswer(earlier, print, body.paymentRequestId);

  const method = body.paymentMethod as Record<string, any>;
  const meta: Record<string, any> = typeof method.paymentMethodMetaData === "object" && method.paymentMethodMetaData !== null ? method.paymentMethodMetaData : {};
  const tokenize = truthy(meta.tokenize);
  let decision: Decision;
  if (method.paymentMethodType !== "CARD") {
    decision = { kind: "fail", resultCode: "PARAM_ILLEGAL", resultMessage: `paymentMethod.paymentMethodType: the sandbox simulates CARD payments only; got ${JSON.stringify(method.paymentMethodType).slice(0, 40)}` };
  } else if (typeof method.paymentMethodId === "string" && method.paymentMethodId !== "") {
    const token = await engine.store.get<CardTokenRecord>(tenant, "cardTokens", method.paymentMethodId);
    const card = token && testCard(token.cardNo);
    decision = card
      ? decide(card, { ...meta, cvv: undefined, expiryMonth: undefined }, body.paymentAmount.value, now, false, method.paymentMethodId)
      : { kind: "fail", resultCode: "PARAM_ILLEGAL", resultMessage: "paymentMethod.paymentMethodId: no card token of this merchant has this value" };
  } else if (typeof meta.cardNo === "string") {
    const card = testCard(meta.cardNo);
    decision = card ? decide(card, meta, body.paymentAmount.value, now, tokenize) : { kind: "fail", resultCode: "INVALID_CARD_NUMBER", resultMessage: "paymentMethod.paymentMethodMetaData.cardNo fails the Luhn check" };
  } else {
    // No card data and no token: the buyer enters the card on the hosted page.
    decision = { kind: "page", page: "hosted" };
  }

  const paymentId = newPaymentId(now);
  const expiry = body.paymentExpiryTime ? Date.parse(body.paymentExpiryTime) : NaN;
  const factor = (body.paymentFactor ?? {}) as Record<string, unknown>;
  let payment: PaymentRecord = {
    paymentId,
    paymentRequestId: body.paymentRequestId,
    status: "PROCESSING",
    resultCode: "PAYMENT_IN_PROCESS",
    resultMessage: "payment in process",
    amount: body.paymentAmount,
    createTime: now,
    expiryTime: Number.isFinite(expiry) && expiry > now ? expiry : now + DEFAULT_PAYMENT_EXPIRY_MS,
    captureMode: factor.captureMode === "MANUAL" ? "MANUAL" : "AUTOMATIC",
    notifyUrl: body.paymentNotifyUrl,
    redirectUrl: (body as { paymentRedirectUrl?: string }).paymentRedirectUrl,
    tokenize,
    captures: [],
    history: [{ time: now, event: `pay ${body.paymentAmount.value} ${body.paymentAmount.currency}` }],
  };
  switch (decision.kind) {
    case "fail":
      payment = { ...payment, status: "FAIL", resultCode: decision.resultCode, resultMessage: decision.resultMessage, history: [...payment.history, { time: now, event: `failed: ${decision.resultCode}` }] };
      break;
    case "unknown":
      payment = { ...payment, card: decision.card, resultCode: decision.resultCode, resultMessage: decision.resultMessage, history: [...payment.history, { time: now, event: `unknown: ${decision.resultCode}` }] };
      break;
    case "page":
      payment = { ...payment, card: decision.card, pending: decision.page, history: [...payment.history, { time: now, event: decision.page === "challenge" ? "3-D Secure challenge pending" : "waiting for the card on the hosted page" }] };
      break;
    case "authorized":
      payment = authorize(payment, decision.card, now);
      break;
  }
  const answer = payAnswer(payment, engine, tenant);
  // The payment (and its card token) is written before the idempotency record, which commits it:
  // an instance that dies in between leaves a payment nothing refers to, never an answer whose
  // payment is missing. Of many identical pays, one files the record; the others take theirs back.
  const token = payment.card?.cardToken && tokenize && typeof meta.cardNo === "string" ? payment.card.cardToken : undefined;
  await engine.store.insert(tenant, "payments", paymentId, payment);
  if (token) await engine.store.insert<CardTokenRecord>(tenant, "cardTokens", token, { cardNo: meta.cardNo, masked: payment.card!.masked });
  const filed = await engine.store.insert<PaymentRequestRecord>(tenant, "paymentRequests", body.paymentRequestId, {
    paymentId,
    fingerprint: print,
    answer: JSON.stringify(answer),
  });
  if (!filed.created) {
    await engine.store.remove(tenant, "payments", paymentId);
    if (token) await engine.store.remove(tenant, "cardTokens", token);
    return repeatAnswer(filed.value, print, body.paymentRequestId);
  }
  if (payment.status === "PROCESSING") await engine.notifier.scheduleExpiry(tenant, payment);
  await announce(engine, tenant, payment);
  return answer;
}

/** Sends what a payment's new state calls for: notifyPayment once final, notifyCapture per capture. */
export async function announce(engine: Engine, tenant: string, payment: PaymentRecord): Promise<void> {
  if (payment.status !== "SUCCESS" && payment.status !== "FAIL") return;
  const url = await engine.notifyUrlOf(tenant, payment);
  // Without a URL nothing is filed (engine.notify would drop it): the bodies are not built.
  if (!url) return;
  await engine.notify(tenant, "notifyPayment", engine.notifyPaymentBody(payment), payment.paymentId, url);
  for (const capture of payment.captures.filter((c) => c.automatic)) {
    await engine.notify(tenant, "notifyCapture", engine.notifyCaptureBody(payment, capture), payment.paymentId, url);
  }
}
