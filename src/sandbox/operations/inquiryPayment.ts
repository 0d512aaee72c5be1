// inquiryPayment: the payment's real state (`paymentStatus`), and one CAPTURE transaction per
// capture. `result` is the inquiry's own outcome.
import type { components } from "../../../generated/antom.js";
import { failureResult, successResult } from "../../core/antom-result.js";
import { isoTime } from "../clock.js";
import { type Engine, paymentResultInfo } from "../engine.js";

type InquiryPaymentRequest = components["schemas"]["InquiryPaymentRequest"];
type InquiryPaymentResponse = components["schemas"]["InquiryPaymentResponse"];

export async function inquiryPayment(engine: Engine, tenant: string, body: InquiryPaymentRequest): Promise<InquiryPaymentResponse> {
  const request = body as { paymentId?: string; paymentRequestId?: string };
  const payment = request.paymentId ? await engine.payment(tenant, request.paymentId) : await engine.paymentByRequestId(tenant, request.paymentRequestId!);
  if (!payment) return { result: failureResult("ORDER_NOT_EXIST", "no such payment for this merchant") };
  const info = paymentResultInfo(payment);
  const captures = payment.captures.filter((c) => c.status === "S");
  return {
    result: successResult(),
    paymentStatus: payment.status,
    paymentResultCode: payment.resultCode,
    paymentResultMessage: payment.resultMessage,
    paymentRequestId: payment.paymentRequestId,
    paymentId: payment.paymentId,
    paymentAmount: payment.amount,
    paymentCreateTime: isoTime(payment.createTime),
    ...(payment.paymentTime !== undefined && payment.status === "SUCCESS" ? { paymentTime: isoTime(payment.paymentTime) } : {}),
    ...(payment.authExpiryTime !== undefined ? { authExpiryTime: isoTime(payment.authExpiryTime) } : {}),
    paymentMethodType: "CARD",
    ...(info ? { paymentResultInfo: info } : {}),
    ...(captures.length > 0
      ? {
          transactions: captures.map((c) => ({
            transactionType: "CAPTURE",
            transactionStatus: "SUCCESS",
            transactionRequestId: c.captureRequestId,
            transactionId: c.captureId,
            transactionAmount: c.amount,
            transactionTime: isoTime(c.time),
            transactionResult: { resultCode: c.resultCode, resultStatus: c.status, resultMessage: c.resultMessage },
          })),
        }
      : {}),
  } as InquiryPaymentResponse;
}
