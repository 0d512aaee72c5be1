// Errors the protocol core throws: a bad key or option, and a notification that fails
// verification. The client adds its own (network, HTTP, response) on top of `AntomError`.
import type { ValidationError } from "./validate.js";
import { redactText } from "./redact.js";
import { describeErrors, failureResult, redactErrors, type AntomResultBody } from "./antom-result.js";

/** Base class: `instanceof AntomError` catches everything this package throws. */
export class AntomError extends Error {
  override name = "AntomError";
  constructor(message: string, options?: ErrorOptions) {
    // Every message this package raises passes the one redaction step: no card data in errors.
    super(redactText(message), options);
  }
}

/** An option (or a key passed to a function) is missing or invalid. */
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
  /** One entry per problem, with the field path and the rule (values redacted). */
  readonly errors: ValidationError[];
  constructor(
    /** `notifyPayment`, `notifyCapture` or `notifyDispute` when the kind was recognised. */
    readonly kind: string | undefined,
    errors: ValidationError[],
  ) {
    super(`${kind ?? "notification"} body is invalid: ${describeErrors(errors)}`);
    this.errors = redactErrors(errors);
    this.result = failureResult("PARAM_ILLEGAL", this.message);
  }
}
