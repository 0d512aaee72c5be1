// Type tests, checked by `tsc --noEmit` (part of `npm test`); never executed. Each
// `@ts-expect-error` line must fail to compile, or tsc reports the directive as unused.
import { expectTypeOf } from "vitest";
import type { components } from "../../generated/antom.js";
import type { KnownResultCode } from "../../generated/result-codes.js";
import type { AntomClient, AntomNotification, RequestBody } from "../../src/index.js";

declare const client: AntomClient;

const pay: RequestBody<"pay"> = {
  productCode: "CASHIER_PAYMENT",
  paymentRequestId: "PAY_1",
  order: { referenceOrderId: "ORDER_1", orderDescription: "Espresso machine", orderAmount: { currency: "USD", value: "1000" } },
  paymentAmount: { currency: "USD", value: "1000" },
  paymentMethod: { paymentMethodType: "CARD", paymentMethodMetaData: { cardNo: "4054695723100768", cvv: "123", expiryMonth: "12", expiryYear: "30" } },
  paymentRedirectUrl: "https://www.example.com/result",
  env: { terminalType: "WEB" },
};

export async function requests() {
  await client.pay(pay);

  // A misspelt field does not compile.
  // @ts-expect-error paymentRequestID is not a field of PayRequest
  await client.pay({ ...pay, paymentRequestID: "PAY_1" });
  await client.capture({
    captureRequestId: "CAPTURE_1",
    paymentId: "2024",
    captureAmount: { currency: "USD", value: "1000" },
    // @ts-expect-error captureAmmount is misspelt
    captureAmmount: { currency: "USD", value: "1000" },
  });

  // A wrong enum value does not compile.
  // @ts-expect-error WEB_BROWSER is not a terminalType
  await client.pay({ ...pay, env: { terminalType: "WEB_BROWSER" } });
  // @ts-expect-error AUTO is not a captureMode
  await client.pay({ ...pay, paymentFactor: { captureMode: "AUTO" } });
  // @ts-expect-error IN_STORE is not a productCode
  await client.consult({ productCode: "IN_STORE", paymentAmount: { currency: "USD", value: "1" }, env: { terminalType: "WEB" } });

  // A missing required field does not compile.
  const { paymentMethod: _, ...withoutMethod } = pay;
  // @ts-expect-error paymentMethod is required
  await client.pay(withoutMethod);
  // @ts-expect-error captureAmount is required
  await client.capture({ captureRequestId: "CAPTURE_1", paymentId: "2024" });
  // cancel and inquiryPayment need paymentId or paymentRequestId (either will do).
  // @ts-expect-error neither paymentId nor paymentRequestId
  await client.cancel({ merchantAccountId: "M1" });
  // @ts-expect-error neither paymentId nor paymentRequestId
  await client.inquiryPayment({});
  await client.cancel({ paymentRequestId: "PAY_1" });
  await client.inquiryPayment({ paymentId: "2024" });

  // The signing headers are the client's business, not the caller's.
  // @ts-expect-error there is no header option; Client-Id, Request-Time and Signature are set by the middleware
  await client.pay(pay, { headers: { "Client-Id": "x" } });
  await client.pay(pay, { agentToken: "AGENT_1", signal: AbortSignal.timeout(10_000) });
  const viaFetchClient = await client.fetchClient.POST("/v1/payments/cancel", { body: { paymentId: "2024" } });
  expectTypeOf(viaFetchClient.data).toEqualTypeOf<components["schemas"]["CancelResponse"] | undefined>();
}

export async function results() {
  const result = await client.pay(pay);

  // Before narrowing, success fields are not there.
  // @ts-expect-error paymentId exists only once resultStatus is known not to be F
  void result.paymentId;

  switch (result.resultStatus) {
    case "S":
      expectTypeOf(result.paymentId).toEqualTypeOf<string | undefined>();
      expectTypeOf(result.paymentResultInfo).toEqualTypeOf<components["schemas"]["PaymentResultInfo"] | undefined>();
      expectTypeOf<"SUCCESS">().toExtend<typeof result.resultCode>();
      break;
    case "U":
      expectTypeOf(result.normalUrl).toEqualTypeOf<string | undefined>();
      expectTypeOf<"PAYMENT_IN_PROCESS">().toExtend<typeof result.resultCode>();
      break;
    case "F":
      // @ts-expect-error a failure carries only its result; its body is in `body`
      void result.paymentId;
      expectTypeOf(result.body.paymentId).toEqualTypeOf<string | undefined>();
      expectTypeOf<"DO_NOT_HONOR">().toExtend<typeof result.resultCode>();
      // Unknown codes are still accepted.
      expectTypeOf<"A_CODE_ANTOM_ADDS_LATER">().toExtend<typeof result.resultCode>();
      break;
    default:
      expectTypeOf(result).toBeNever();
  }

  // @ts-expect-error X is not a resultStatus
  if (result.resultStatus === "X") return;

  const capture = await client.capture({ captureRequestId: "C", paymentId: "P", captureAmount: { currency: "USD", value: "1" } });
  if (capture.resultStatus === "S") expectTypeOf(capture.captureId).toEqualTypeOf<string | undefined>();
  const inquiry = await client.inquiryPayment({ paymentId: "P" });
  if (inquiry.resultStatus === "S") expectTypeOf(inquiry.paymentStatus).toEqualTypeOf<components["schemas"]["InquiryPaymentResponse"]["paymentStatus"]>();
}

export function resultCodes() {
  expectTypeOf<"DO_NOT_HONOR">().toExtend<KnownResultCode<"pay", "F">>();
  expectTypeOf<"CAPTURE_IN_PROCESS">().toExtend<KnownResultCode<"capture", "U">>();
  // Gateway codes are merged into every operation.
  expectTypeOf<"INVALID_SIGNATURE">().toExtend<KnownResultCode<"inquiryPayment", "F">>();
  // @ts-expect-error SUCCESS does not come with F
  expectTypeOf<"SUCCESS">().toExtend<KnownResultCode<"pay", "F">>();
}

export function notifications(notification: AntomNotification) {
  switch (notification.kind) {
    case "notifyPayment":
      expectTypeOf(notification.body.paymentRequestId).toEqualTypeOf<string>();
      // An open set: the known values stay offered, any other string is accepted.
      expectTypeOf(notification.body.notifyType).toEqualTypeOf<"PAYMENT_RESULT" | "PAYMENT_PENDING" | "UPDATE_AMOUNT_RESULT" | (string & {})>();
      if (notification.body.result.resultStatus === "F") expectTypeOf<"DO_NOT_HONOR">().toExtend<typeof notification.body.result.resultCode>();
      break;
    case "notifyCapture":
      // A failed capture may carry only `result`.
      expectTypeOf(notification.body.captureId).toEqualTypeOf<string | undefined>();
      // @ts-expect-error disputeId is not in a capture notification
      void notification.body.disputeId;
      break;
    case "notifyDispute":
      expectTypeOf(notification.body.disputeNotificationType).toEqualTypeOf<components["schemas"]["DisputeNotificationType"] | undefined>();
      break;
    default:
      expectTypeOf(notification).toBeNever();
  }
}
