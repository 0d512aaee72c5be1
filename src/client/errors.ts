// Typed errors of the client. Business failures are not errors: Antom answers them with HTTP 200
// and `resultStatus` `F`, and the client returns them as results. These classes are for what
// is not an answer from Antom (network, HTTP status, bad signature, malformed body) and for a
// request body that fails the contract. Core errors (config, notifications) live in src/core/errors.ts.
import { describeErrors, failureResult, redactErrors, type AntomResultBody } from "../core/antom-result.js";
import { AntomError } from "../core/errors.js";
import type { ValidationError } from "../core/validate.js";

/** The request body does not match the contract (only with `validateRequests`); nothing was sent. */
export class AntomRequestValidationError extends AntomError {
  override name = "AntomRequestValidationError";
  readonly result: AntomResultBody;
  /** One entry per problem, with the field path and the rule, e.g. `{ path: "paymentAmount.value", rule: "pattern" }` (values redacted). */
  readonly errors: ValidationError[];
  constructor(
    readonly operationId: string,
    errors: ValidationError[],
  ) {
    super(`${operationId} request is invalid: ${describeErrors(errors)}`);
    this.errors = redactErrors(errors);
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
