// Types of the client, derived from the generated contract types (generated/antom.d.ts) and
// result codes (generated/result-codes.ts), so they follow the contract on every `npm run generate`.
import type { operations, paths } from "../generated/antom.js";
import type { ResultCode, ResultCodeOperation, ResultStatus } from "../generated/result-codes.js";

/** The contract path of each operation (relative to the environment prefix `/ams/api` or `/ams/sandbox/api`). */
export const operationPaths = {
  consult: "/v1/payments/consult",
  pay: "/v1/payments/pay",
  cancel: "/v1/payments/cancel",
  capture: "/v1/payments/capture",
  inquiryPayment: "/v1/payments/inquiryPayment",
} as const satisfies Record<string, keyof paths>;

export type OperationId = keyof typeof operationPaths;

/** The headers the signing middleware sets on every request. */
export type SigningHeader = "Client-Id" | "Request-Time" | "Signature";

/** An operation as a caller sees it: the signing headers are not the caller's to send. */
type WithoutSigningHeaders<Op> = Op extends { parameters: { header: infer H } }
  ? Omit<Op, "parameters"> & { parameters: Omit<Op["parameters"], "header"> & { header?: Omit<H, SigningHeader> } }
  : Op;

/** `paths` of the contract with the signing headers left to the middleware (for openapi-fetch). */
export type ClientPaths = {
  [P in keyof paths]: { [M in keyof paths[P]]: M extends "post" ? WithoutSigningHeaders<paths[P][M]> : paths[P][M] };
};

/** The request body of an operation, e.g. `RequestBody<"pay">` is `PayRequest`. */
export type RequestBody<Op extends OperationId> = operations[Op]["requestBody"]["content"]["application/json"];

/** The 200 response body of an operation as the contract defines it, e.g. `ResponseBody<"pay">` is `PayResponse`. */
export type ResponseBody<Op extends OperationId> = operations[Op]["responses"][200]["content"]["application/json"];

/**
 * How the response's signature was checked:
 * - `verified`: it verified with `antomPublicKey`;
 * - `unsigned`: the response had no `signature` or `response-time` header (Antom sends some
 *   gateway errors unsigned), so its body is not authenticated;
 * - `skipped`: no `antomPublicKey` was configured.
 * A response whose signature does not verify is never returned: it is an `AntomResponseSignatureError`.
 */
export type Verification = "verified" | "unsigned" | "skipped";

interface OutcomeBase<Op extends OperationId, Status extends ResultStatus> {
  resultStatus: Status;
  /** The known codes of this operation for this status, or any other string Antom may add. */
  resultCode: ResultCode<Op, Status>;
  resultMessage?: string;
  /** The response body exactly as parsed, `result` included. */
  body: ResponseBody<Op>;
  verification: Verification;
  /** The HTTP response (its body already read), for headers such as `response-time`. */
  response: Response;
}

/**
 * `S`: the call succeeded. The response fields are on the result itself (`result.paymentId`, ...).
 */
export type AntomSuccess<Op extends OperationId> = OutcomeBase<Op, "S"> & Omit<ResponseBody<Op>, "result">;

/**
 * `U`: still processing or not known. The fields Antom sent are on the result (for pay,
 * `PAYMENT_IN_PROCESS` comes with `normalUrl`). Inquire, or retry with the same request ID.
 */
export type AntomUnknown<Op extends OperationId> = OutcomeBase<Op, "U"> & Omit<ResponseBody<Op>, "result">;

/**
 * `F`: the call failed; `resultCode` says why. A failure body may carry only `result`, so no
 * other field is on the result itself; what Antom sent is still in `body`.
 */
export type AntomFailure<Op extends OperationId> = OutcomeBase<Op, "F">;

/** What every operation method returns: narrow it with `result.resultStatus`. */
export type AntomResult<Op extends OperationId> = AntomSuccess<Op> | AntomUnknown<Op> | AntomFailure<Op>;

/** A `result` object whose `resultCode` is typed by its `resultStatus`. */
export type TypedResult<Op extends ResultCodeOperation> = {
  [S in ResultStatus]: { resultStatus: S; resultCode: ResultCode<Op, S>; resultMessage?: string };
}[ResultStatus];
