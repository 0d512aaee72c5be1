// Public entry point of the package: the typed, signing Antom client and its helpers.
export { createAntomClient, PRODUCTION_PREFIX, SANDBOX_PREFIX } from "./client.js";
export type { AntomClient, AntomClientOptions, CallOptions } from "./client.js";
export { createSigningMiddleware } from "./middleware.js";
export type { SigningMiddleware, SigningOptions } from "./middleware.js";
export { checkResponseSignature, contentToSign, parseSignatureHeader, requestUri, signatureHeader, signContent, verifyContent } from "./signing.js";
export type { ResponseSignatureCheck } from "./signing.js";
export type { ParsedSignatureHeader, SignedContent } from "./signing.js";
export { toPrivateKey, toPublicKey } from "./keys.js";
export type { KeyInput } from "./keys.js";
export { NOTIFICATION_ACK, notificationAck, verifyNotification } from "./notifications.js";
export type {
  AntomNotification,
  HeadersInput,
  NotificationKind,
  NotifyCaptureBody,
  NotifyCaptureNotification,
  NotifyDisputeBody,
  NotifyDisputeNotification,
  NotifyPaymentBody,
  NotifyPaymentNotification,
  VerifyNotificationInput,
} from "./notifications.js";
export {
  AntomConfigError,
  AntomError,
  AntomHttpError,
  AntomMalformedResponseError,
  AntomNetworkError,
  AntomNotificationError,
  AntomRequestValidationError,
  AntomResponseSignatureError,
  NotificationBodyError,
  NotificationSignatureError,
} from "./errors.js";
export type { AntomResultBody } from "./errors.js";
export { operationPaths } from "./types.js";
export type {
  AntomFailure,
  AntomResult,
  AntomSuccess,
  AntomUnknown,
  ClientPaths,
  OperationId,
  RequestBody,
  ResponseBody,
  SigningHeader,
  TypedResult,
  Verification,
} from "./types.js";
export type { KnownResultCode, KnownResultCodes, ResultCode, ResultCodeOperation, ResultStatus } from "../generated/result-codes.js";
export type { ValidationError } from "../conformance/validate.js";
