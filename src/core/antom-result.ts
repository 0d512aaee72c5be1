// Antom's `result` format and the one description of validation errors. A malformed request
// gets HTTP 200 with `result.resultStatus` F and `resultCode` PARAM_ILLEGAL: anything that speaks
// Antom's protocol (the sandbox, the client, the flow runner) reports bad input this way.
import type { ValidationError, ValidationResult } from "./validate.js";
import { boundedValue, redactText } from "./redact.js";

/** A failure result in Antom's own format. */
export interface AntomResultBody {
  resultCode: string;
  resultStatus: "F";
  resultMessage: string;
}

export interface AntomErrorResponse {
  result: { resultCode: "PARAM_ILLEGAL"; resultStatus: "F"; resultMessage: string };
}

/** `Result.resultMessage` is at most 256 characters in the contract. */
const MAX_MESSAGE = 256;

/** The `result` of a call or event that succeeded: S / SUCCESS. */
export function successResult(): { resultCode: "SUCCESS"; resultStatus: "S"; resultMessage: string } {
  return { resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success" };
}

/** One problem as `<field path>: <message>`, e.g. `paymentAmount.currency: must match pattern "^[A-Z]{3}$"; got "usd" (pattern)`. */
export function describeError(error: ValidationError): string {
  return redactText(`${error.path}: ${error.message} (${error.rule})`);
}

/**
 * Errors as they may be kept on an exception or shown: messages and paths redacted, `actual`
 * redacted and bounded. Every error class that carries validation errors stores them through here.
 */
export function redactErrors(errors: ValidationError[]): ValidationError[] {
  return errors.map((e) => {
    const shown: ValidationError = { ...e, path: redactText(e.path), message: redactText(e.message) };
    if ("actual" in e) shown.actual = boundedValue(e.actual, e.path.split(".").at(-1));
    return shown;
  });
}

/** Every problem, described, joined by `; `. */
export function describeErrors(errors: ValidationError[]): string {
  return errors.map(describeError).join("; ");
}

/** A failure `result` in Antom's format, its message cut to the contract's 256 characters. */
export function failureResult<Code extends string>(resultCode: Code, message: string): { resultCode: Code; resultStatus: "F"; resultMessage: string } {
  // Redacted before it is cut, so a cut never leaves part of a card number unrecognised.
  const shown = redactText(message);
  const resultMessage = shown.length > MAX_MESSAGE ? `${shown.slice(0, MAX_MESSAGE - 3)}...` : shown;
  return { resultCode, resultStatus: "F", resultMessage };
}

/**
 * The Antom-style error for an invalid payload, or `undefined` when it is valid. The message
 * names every offending field and the rule it breaks, joined by `; `, cut to 256 characters.
 */
export function toAntomResult(validation: ValidationResult): AntomErrorResponse | undefined {
  if (validation.valid) return undefined;
  return { result: failureResult("PARAM_ILLEGAL", describeErrors(validation.errors) || `${validation.kind} is invalid`) };
}
