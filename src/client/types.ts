// Types of the client's results, derived from the generated contract types and result codes,
// so they follow the contract on every `npm run generate`.
import type { paths } from "../../generated/antom.js";
import type { ResultCode, ResultStatus } from "../../generated/result-codes.js";
import type { OperationId, ResponseBody } from "../core/operations.js";

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

/**
 * How the response's signature was checked:
 * - `verified`: it verified with `antomPublicKey`;
 * - `unsigned`: the response had neither a `signature` nor a `response-time` header and is an
 *   `F` or `U` gateway error (Antom sends some unsigned), so its body is not authenticated; an
 *   unsigned `S`, or one with only one of the two headers, is refused instead;
 * - `skipped`: no `antomPublicKey` was configured.
 * A response whose signature does not verify, or that is refused as above, is never returned: it
 * is an `AntomResponseSignatureError`.
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
