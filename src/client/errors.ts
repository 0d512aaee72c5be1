// Typed errors of the client. Business failures are not errors: Antom answers them with HTTP 200
// and `resultStatus` `F`, and the client returns them as results. These classes are for what
// is not an answer from Antom (network, HTTP status, bad signature, malformed body) and for a
// request body that fails the contract. Core errors (config, notifications) live in src/core/errors.ts.
import { describeErrors, failureResult, redactErrors, type AntomResultBody } from "../core/antom-result.js";
import { AntomError } from "../core/errors.js";
import { redactText } from "../core/redact.js";
import type { ResponseRejection } from "../core/signing.js";
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
    detail?: string,
  ) {
    super(`${operationId}: no response from ${url}: ${detail ?? networkReason(cause)}`, { cause });
  }
}

/** No answer within the client's `timeoutMs` (default 30 s). */
export class AntomTimeoutError extends AntomNetworkError {
  override name = "AntomTimeoutError";
  constructor(
    operationId: string,
    url: string,
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(operationId, url, cause, `no answer within ${timeoutMs} ms (timeoutMs)`);
  }
}

/** What went wrong on the wire, in words (undici hides the reason in `cause`). */
function networkReason(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  const code = inner?.code;
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET") return "the connection was closed before an answer arrived";
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND") return "host not found";
  const message = cause instanceof Error ? cause.message : String(cause);
  return inner?.message ? `${message} (${inner.message})` : message;
}

/** The most of a non-200 body kept on `AntomHttpError.body`. */
export const MAX_ERROR_BODY = 64 * 1024;
/** The most of it shown in the message. */
const MAX_MESSAGE_BODY = 1000;

/** A non-200 body summarised on one line: Antom's result, a problem+json's title and field errors, or the text. */
function summarise(body: string): string {
  try {
    const data = JSON.parse(body) as Record<string, any>;
    if (data && typeof data === "object") {
      if (data.result && typeof data.result === "object") {
        return [data.result.resultStatus, data.result.resultCode, data.result.resultMessage].filter((v) => v !== undefined).join(" ");
      }
      const parts: string[] = [];
      if (data.title || data.detail) parts.push([data.title, data.detail].filter(Boolean).join(": "));
      if (Array.isArray(data.validation)) {
        for (const v of data.validation) {
          const where = Array.isArray(v?.location) ? v.location.join(".") : "";
          parts.push(`${where}${where ? ": " : ""}${v?.message ?? ""}`.trim());
        }
      }
      if (parts.length > 0) return parts.join("; ");
    }
  } catch {
    // not JSON: shown as text
  }
  return body.replace(/\s+/g, " ").trim();
}

/** Antom (or something in between) answered with an HTTP status other than 200. */
export class AntomHttpError extends AntomError {
  override name = "AntomHttpError";
  /** The response body as text, whole up to 64 KiB (may be empty, HTML from a proxy, a problem+json or an Antom `result`); card data redacted. */
  readonly body: string;
  constructor(
    readonly operationId: string,
    readonly status: number,
    body: string,
    readonly headers: Headers,
    prefix?: string,
  ) {
    const shown = redactText(body.length > MAX_ERROR_BODY ? `${body.slice(0, MAX_ERROR_BODY)}...` : body);
    const summary = summarise(shown);
    const cut = summary.length > MAX_MESSAGE_BODY ? `${summary.slice(0, MAX_MESSAGE_BODY)}... (${summary.length - MAX_MESSAGE_BODY} more characters in error.body)` : summary;
    super(`${operationId}: ${prefix ?? `HTTP ${status}`}${cut ? `: ${cut}` : ""}`);
    this.body = shown;
  }
}

/** The answer was a redirect. Antom does not redirect API calls: the base URL or a proxy is wrong. */
export class AntomRedirectError extends AntomHttpError {
  override name = "AntomRedirectError";
  constructor(
    operationId: string,
    status: number,
    /** Where it pointed (the `Location` header), when given. */
    readonly location: string | undefined,
    body: string,
    headers: Headers,
  ) {
    super(operationId, status, body, headers, `HTTP ${status} redirect to ${location ?? "(no Location header)"}, not followed: Antom does not redirect API calls; check baseUrl`);
  }
}

/** The answer is larger than the client's `maxResponseBytes` (default 1 MiB); it was not read further. */
export class AntomResponseTooLargeError extends AntomError {
  override name = "AntomResponseTooLargeError";
  constructor(
    readonly operationId: string,
    readonly maxResponseBytes: number,
  ) {
    super(`${operationId}: the answer is larger than maxResponseBytes (${maxResponseBytes} bytes); it was not read further`);
  }
}

const REJECTIONS: Record<ResponseRejection, string> = {
  malformed: "the response's signature header is malformed",
  mismatch: "the response signature does not verify with antomPublicKey",
  partial: "the response carries only one of the signature and response-time headers",
  "unsigned-success": "the response is unsigned but does not report a gateway error (resultStatus F or U); an unsigned S answer is never genuine",
};

/**
 * A 200 answer whose signature is not acceptable (see `responseVerdict`): it does not verify, is
 * malformed, is incomplete, or is missing on an answer that is not an `F`/`U` gateway error. Its
 * body is never returned.
 */
export class AntomResponseSignatureError extends AntomError {
  override name = "AntomResponseSignatureError";
  constructor(
    readonly operationId: string,
    /** Why: `malformed`, `mismatch`, `partial` (one of the two headers) or `unsigned-success`. */
    readonly reason: ResponseRejection,
  ) {
    super(`${operationId}: ${REJECTIONS[reason]}; the response was not trusted`);
  }
}

/** A 200 response is not an Antom answer: not JSON, no `result` with a valid `resultStatus`, or a field of the wrong type. */
export class AntomMalformedResponseError extends AntomError {
  override name = "AntomMalformedResponseError";
  /** The body as received (card data redacted, at most 64 KiB). */
  readonly body: string;
  /** Field path and rule of the problem, e.g. `{ path: "paymentId", rule: "type" }` (values redacted). */
  readonly problem: ValidationError;
  constructor(
    readonly operationId: string,
    problem: ValidationError,
    body: string,
  ) {
    super(`${operationId}: malformed response: ${problem.path}: ${problem.message} (${problem.rule})`);
    this.problem = redactErrors([problem])[0];
    this.body = redactText(body.length > MAX_ERROR_BODY ? `${body.slice(0, MAX_ERROR_BODY)}...` : body);
  }
}
