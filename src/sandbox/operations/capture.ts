// capture: takes an authorized, uncaptured amount. The check of the limits and the new capture
// are one atomic change of the payment, so parallel captures never exceed the authorization;
// captureRequestId is idempotent.
import { createHash } from "node:crypto";
import type { components } from "../../../generated/antom.js";
import { failureResult, successResult } from "../../core/antom-result.js";
import { isoTime } from "../clock.js";
import type { Engine } from "../engine.js";
import { newCaptureId } from "../ids.js";
import type { CaptureRecord, CaptureRequestRecord, PaymentRecord } from "../model.js";

type CaptureRequest = components["schemas"]["CaptureRequest"];
type CaptureResponse = components["schemas"]["CaptureResponse"];

const fingerprintOf = (body: CaptureRequest) =>
  createHash("sha256").update(JSON.stringify([body.paymentId, body.captureAmount.currency, body.captureAmount.value])).digest("hex");

/** Why a new capture of `amount` is refused, or undefined when it may go ahead. */
function refusal(payment: PaymentRecord, amount: { currency: string; value: string }, now: number): { code: string; message: string } | undefined {
  if (payment.status === "CANCELLED") return { code: "AUTH_CANCELLED", message: "the payment was cancelled; its authorization is released" };
  if (payment.status !== "SUCCESS") return { code: "ORDER_STATUS_INVALID", message: `the payment is ${payment.status}, not authorized` };
  if (payment.authExpiryTime !== undefined && now > payment.authExpiryTime) {
    return { code: "AUTH_EXPIRED", message: `the authorization expired at ${isoTime(payment.authExpiryTime)}` };
  }
  if (amount.currency !== payment.amount.currency) {
    return { code: "PARAM_ILLEGAL", message: `captureAmount.currency: must be the payment's currency ${payment.amount.currency}; got ${JSON.stringify(amount.currency).slice(0, 12)}` };
  }
  const captured = payment.captures.filter((c) => c.status === "S");
  if (captured.length > 0 && !(payment.card?.multiCapture ?? true)) {
    return { code: "MULTI_CAPTURE_NOT_SUPPORTED", message: "this card allows a single capture" };
  }
  const total = captured.reduce((sum, c) => sum + BigInt(c.amount.value), 0n) + BigInt(amount.value);
  if (total > BigInt(payment.amount.value)) {
    return { code: "CAPTURE_AMOUNT_EXCEED_AUTH_LIMIT", message: `captures would total ${total}, over the authorized ${payment.amount.value} ${payment.amount.currency}` };
  }
  return undefined;
}

function answerOf(payment: PaymentRecord, capture: CaptureRecord): CaptureResponse {
  if (capture.status === "F") return { result: failureResult(capture.resultCode, capture.resultMessage) } as CaptureResponse;
  return {
    result: successResult(),
    captureRequestId: capture.captureRequestId,
    captureId: capture.captureId,
    paymentId: payment.paymentId,
    captureAmount: capture.amount,
    captureTime: isoTime(capture.time),
  };
}

export async function capture(engine: Engine, tenant: string, body: CaptureRequest): Promise<CaptureResponse> {
  const now = await engine.clocks.now(tenant);
  const print = fingerprintOf(body);
  if (!(await engine.payment(tenant, body.paymentId))) {
    return { result: failureResult("AUTH_NOT_FOUND", `no payment ${body.paymentId} of this merchant`) } as CaptureResponse;
  }
  // One captureRequestId belongs to one capture: a reuse with another payment or amount is refused.
  const filed = await engine.store.insert<CaptureRequestRecord>(tenant, "captureRequests", body.captureRequestId, { paymentId: body.paymentId, fingerprint: print });
  if (!filed.created && filed.value.fingerprint !== print) {
    return { result: failureResult("REPEAT_REQ_INCONSISTENT", `captureRequestId ${body.captureRequestId} was used for another payment or amount`) } as CaptureResponse;
  }
  let made: CaptureRecord | undefined;
  let created = false;
  const payment = await engine.updatePayment(tenant, body.paymentId, (current) => {
    created = false;
    made = current.captures.find((c) => c.captureRequestId === body.captureRequestId);
    if (made) return undefined; // an identical retry: the same answer
    const refused = refusal(current, body.captureAmount, now);
    made = {
      captureRequestId: body.captureRequestId,
      captureId: refused ? "" : newCaptureId(now),
      amount: body.captureAmount,
      time: now,
      status: refused ? "F" : "S",
      resultCode: refused?.code ?? "SUCCESS",
      resultMessage: refused?.message ?? "success",
      automatic: false,
    };
    created = true;
    const event = refused ? `capture ${body.captureRequestId} refused: ${refused.code}` : `captured ${body.captureAmount.value} ${body.captureAmount.currency} (${body.captureRequestId})`;
    return { ...current, captures: [...current.captures, made], history: [...current.history, { time: now, event }] };
  });
  if (created && made!.status === "S") {
    await engine.notify(tenant, "notifyCapture", engine.notifyCaptureBody(payment!, made!), payment!.paymentId, await engine.notifyUrlOf(tenant, payment!));
  }
  return answerOf(payment!, made!);
}
