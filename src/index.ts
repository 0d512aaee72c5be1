// Public entry point of the package: the typed, signing Antom client (src/client/) and the
// protocol core it stands on (src/core/: keys, signing, notifications, validation errors).
export { createAntomClient, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, PRODUCTION_PREFIX, SANDBOX_PREFIX } from "./client/client.js";
export type { AntomClient, AntomClientOptions, CallOptions } from "./client/client.js";
export { createSigningMiddleware } from "./client/middleware.js";
export type { SigningMiddleware, SigningOptions } from "./client/middleware.js";
export {
  checkResponseSignature,
  contentToSign,
  parseSignatureHeader,
  requestUri,
  responseVerdict,
  signatureHeader,
  signContent,
  signedHeaders,
  verifyContent,
} from "./core/signing.js";
export type { ParsedSignatureHeader, ResponseRejection, ResponseSignatureCheck, SignatureHeaders, SignedContent } from "./core/signing.js";
export { parseJsonBody } from "./core/json-body.js";
export type { JsonLimits, ParsedJson } from "./core/json-body.js";
export { toPrivateKey, toPublicKey } from "./core/keys.js";
export type { KeyInput } from "./core/keys.js";
export { NOTIFICATION_ACK, notificationAck, verifyNotification } from "./core/notifications.js";
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
} from "./core/notifications.js";
export { AntomConfigError, AntomError, AntomNotificationError, NotificationBodyError, NotificationSignatureError } from "./core/errors.js";
export {
  AntomHttpError,
  AntomMalformedResponseError,
  AntomNetworkError,
  AntomRedirectError,
  AntomRequestValidationError,
  AntomResponseSignatureError,
  AntomResponseTooLargeError,
  AntomTimeoutError,
} from "./client/errors.js";
export type { AntomResultBody } from "./core/antom-result.js";
export { operationPaths } from "./core/operations.js";
export type { OperationId, RequestBody, ResponseBody, TypedResult } from "./core/operations.js";
export type { AntomFailure, AntomResult, AntomSuccess, AntomUnknown, ClientPaths, SigningHeader, Verification } from "./client/types.js";
export type { KnownResultCode, KnownResultCodes, ResultCode, ResultCodeOperation, ResultStatus } from "../generated/result-codes.js";
export type { ValidationError } from "./core/validate.js";
