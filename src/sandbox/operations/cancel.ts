// cancel: voids a payment in full. An authorized but uncaptured payment (or one still waiting
// for the buyer) can be cancelled; a captured or failed one cannot. No notification follows.
import type { components } from "../../../generated/antom.js";
import { failureResult, successResult } from "../../core/antom-result.js";
import { isoTime } from "../clock.js";
import type { Engine } from "../engine.js";
import type { PaymentRecord } from "../model.js";

type CancelRequest = components["schemas"]["CancelRequest"];
type CancelResponse = components["schemas"]["CancelResponse"];

export async function cancel(engine: Engine, tenant: string, body: CancelRequest): Promise<CancelResponse> {
  const now = await engine.clocks.now(tenant);
  const request = body as { paymentId?: string; paymentRequestId?: string };
  // paymentId wins when both are given, as Antom documents for inquiries.
  const found = request.paymentId ? await engine.payment(tenant, request.paymentId) : await engine.paymentByRequestId(tenant, request.paymentRequestId!);
  if (!found) return { result: failureResult("ORDER_NOT_EXIST", "no such payment for this merchant") };
  let refused: { code: string; message: string } | undefined;
  const payment = (await engine.updatePayment(tenant, found.paymentId, (current): PaymentRecord | undefined => {
    refused = undefined;
    if (current.status === "CANCELLED") return undefined; // a repeated cancel answers as the first did
    if (current.status === "FAIL") refused = { code: "ORDER_STATUS_INVALID", message: "the payment failed; there is nothing to cancel" };
    else if (current.captures.some((c) => c.status === "S")) refused = { code: "ORDER_STATUS_INVALID", message: "the payment is captured; refund it instead" };
    if (refused) return undefined;
    return {
      ...current,
      status: "CANCELLED",
      resultCode: "ORDER_IS_CANCELED",
      resultMessage: "the payment was cancelled",
      pending: undefined,
      cancelTime: now,
      history: [...current.history, { time: now, event: "cancelled" }],
    };
  }))!;
  if (refused) return { result: failureResult(refused.code, refused.message) };
  return {
    result: successResult(),
    paymentId: payment.paymentId,
    paymentRequestId: payment.paymentRequestId,
    cancelTime: isoTime(payment.cancelTime!),
  };
}
