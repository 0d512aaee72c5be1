// Typed errors of the client. Business failures are not errors: Antom answers them with HTTP 200
// and `resultStatus` `F`, and the client returns them as results. These classes are for what
// is not an answer from Antom (network, HTTP status, bad signature, malformed body) and for
// bad input (configuration, request body, notification).
import type { ValidationError } from "../conformance/validate.js";
import { describeErrors, failureResult } from "../conformance/antom-error.js";

/** A result in Antom's own format, for errors that a merchant may report back in the protocol. */
export interface AntomResultBody {
  resultCode: string;
  resultStatus: "F";
  resultMessage: string;
}

/** Base class: `instanceof AntomError` catches everything this package throws. */
export class AntomError extends Error {
  override name = "AntomError";
}

/** An option of `createAntomClient` (or a key passed to a function) is missing or invalid. */
export class AntomConfigError extends AntomError {
  override name = "AntomConfigError";
  constructor(
    /** The option at fault, e.g. `privateKey`. */
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** The request body does not match the contract (only with `validateRequests`); nothing was sent. */
export class AntomRequestValidationError extends AntomError {
  override name = "AntomRequestValidationError";
  readonly result: AntomResultBody;
  constructor(
    readonly operationId: string,
    /** One entry per problem, with the field path and the rule, e.g. `{ path: "paymentAmount.value", rule: "pattern" }`. */
    readonly errors: ValidationError[],
  ) {
    super(`${operationId} request is invalid: ${describeErrors(errors)}`);
    this.result = failureResult("PARAM_ILLEGAL", this.message);
  }
}

/** No HTTP response arrived: connection refused or reset, DNS failure, TLS failure, abort, timeout. */
export class AntomNetworkError extends AntomError {
  override name = "AntomNetworkError";
  constructor(
    readonly operationId: string,
    readonly url: string,
    cause: unknown,
  ) {
    super(`${operationId}: no response from ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Antom (or something in between) answered with an HTTP status other than 200. */
export class AntomHttpError extends AntomError {
  override name = "AntomHttpError";
  constructor(
    readonly operationId: string,
    readonly status: number,
    /** The response body as text (may be empty, HTML from a proxy, or an Antom `result`). */
    readonly body: string,
    readonly headers: Headers,
  ) {
    super(`${operationId}: HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}`);
  }
}

/** A 200 response carried a signature that does not verify with Antom's public key. Its body is not returned. */
export class AntomResponseSignatureError extends AntomError {
  override name = "AntomResponseSignatureError";
  constructor(
    readonly operationId: string,
    /** Why: `malformed` (the `signature` header cannot be read) or `mismatch` (it does not verify). */
    readonly reason: "malformed" | "mismatch",
  ) {
    super(
      reason === "malformed"
        ? `${operationId}: the response's signature header is malformed; the response was not trusted`
        : `${operationId}: the response signature does not verify with antomPublicKey; the response was not trusted`,
    );
  }
}

/** A 200 response is not an Antom answer: not JSON, or no `result` with a valid `resultStatus`. */
export class AntomMalformedResponseError extends AntomError {
  override name = "AntomMalformedResponseError";
  constructor(
    readonly operationId: string,
    /** Field path and rule of the problem, e.g. `{ path: "result.resultStatus", rule: "enum" }`. */
    readonly problem: { path: string; rule: string; message: string },
    readonly body: string,
  ) {
    super(`${operationId}: malformed response: ${problem.path}: ${problem.message} (${problem.rule})`);
  }
}

/** A notification was rejected; `reason` says whether its signature or its body is at fault. */
export abstract class AntomNotificationError extends AntomError {
  abstract readonly reason: "signature" | "body";
  /** What to log or report, in Antom's result format. Antom redelivers unless it gets the SUCCESS acknowledgement. */
  abstract readonly result: AntomResultBody;
}

/** The notification's signature headers are missing or malformed, or the signature does not verify. */
export class NotificationSignatureError extends AntomNotificationError {
  override name = "NotificationSignatureError";
  readonly reason = "signature" as const;
  readonly result: AntomResultBody;
  constructor(message: string) {
    super(message);
    this.result = failureResult("INVALID_SIGNATURE", message);
  }
}

/** The notification is authentic but its body is not JSON, not a known notification, or not valid against the contract. */
export class NotificationBodyError extends AntomNotificationError {
  override name = "NotificationBodyError";
  readonly reason = "body" as const;
  readonly result: AntomResultBody;
  constructor(
    /** `notifyPayment`, `notifyCapture` or `notifyDispute` when the kind was recognised. */
    readonly kind: string | undefined,
    /** One entry per problem, with the field path and the rule. */
    readonly errors: ValidationError[],
  ) {
    super(`${kind ?? "notification"} body is invalid: ${describeErrors(errors)}`);
    this.result = failureResult("PARAM_ILLEGAL", this.message);
  }
}
