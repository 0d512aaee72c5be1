// Notifications Antom POSTs to the merchant (notifyPayment, notifyCapture, notifyDispute):
// verify the signature over the raw body, recognise the kind, validate it against the
// contract, and acknowledge it with the one body Antom accepts.
import type { KeyObject } from "node:crypto";
import { contract } from "./contract.js";
import { validate, type ValidationError } from "./validate.js";
import type { components } from "../../generated/antom.js";
import { AntomConfigError, NotificationBodyError, NotificationSignatureError } from "./errors.js";
import { parseJsonBody } from "./json-body.js";
import { boundedValue, quote } from "./redact.js";
import { toPublicKey, type KeyInput } from "./keys.js";
import { parseSignatureHeader, requestUri, verifyContent } from "./signing.js";
import type { TypedResult } from "./operations.js";

type Schemas = components["schemas"];

/** A notification body with its `result` typed by `resultStatus` (known codes of that notification). */
export type NotifyPaymentBody = Omit<Schemas["NotifyPaymentRequest"], "result"> & { result: TypedResult<"notifyPayment"> };
export type NotifyCaptureBody = Omit<Schemas["NotifyCaptureRequest"], "result"> & { result: TypedResult<"notifyCapture"> };
export type NotifyDisputeBody = Omit<Schemas["NotifyDisputeRequest"], "result"> & { result?: TypedResult<"notifyDispute"> };

interface NotificationBase {
  /** The `Client-Id` header, as signed. */
  clientId: string;
  /** The `Request-Time` header, as signed. */
  requestTime: string;
}

export interface NotifyPaymentNotification extends NotificationBase {
  kind: "notifyPayment";
  body: NotifyPaymentBody;
}
export interface NotifyCaptureNotification extends NotificationBase {
  kind: "notifyCapture";
  body: NotifyCaptureBody;
}
export interface NotifyDisputeNotification extends NotificationBase {
  kind: "notifyDispute";
  body: NotifyDisputeBody;
}

/** A verified, validated notification: narrow it with `notification.kind`. */
export type AntomNotification = NotifyPaymentNotification | NotifyCaptureNotification | NotifyDisputeNotification;
export type NotificationKind = AntomNotification["kind"];

/** Request headers as any server gives them: a `Headers` object or Node's `IncomingHttpHeaders`. */
export type HeadersInput = Headers | Record<string, string | string[] | undefined>;

export interface VerifyNotificationInput {
  /**
   * The path of the merchant's own notification endpoint, as Antom called it (for example
   * `/antom/notify`); Antom signs it without the host. A full URL is accepted and its host ignored.
   */
  path: string;
  headers: HeadersInput;
  /** The raw request body, exactly as received: parsing and re-serialising it breaks the signature. */
  body: string | Uint8Array;
  /** Antom's RSA public key from the Dashboard: PEM, or base64 X.509 DER. */
  antomPublicKey: KeyInput;
  /** This merchant's client ID: a notification for another client ID is rejected. Pass it. */
  clientId?: string;
  /**
   * Freshness window in minutes: a `Request-Time` more than this far in the past or the future
   * is rejected (a replayed or mis-dated notification), and a `Request-Time` that is not epoch
   * milliseconds is an error. Off when not given.
   */
  freshnessMinutes?: number;
  /** The clock for `freshnessMinutes`, in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** The largest body accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
}

function header(headers: HeadersInput, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (Array.isArray(value)) {
      // A signing header sent twice cannot be told apart from a forgery added to a real one.
      if (value.length !== 1) throw new NotificationSignatureError(`the ${name} header appears ${value.length} times; it must appear once`);
      if (typeof value[0] !== "string") throw new AntomConfigError("headers", `${name} must be a string; got ${typeof value[0]}`);
      found = value[0];
    } else if (typeof value !== "string") {
      throw new AntomConfigError("headers", `${name} must be a string; got ${value === null ? "null" : typeof value}`);
    } else found = value;
  }
  return found;
}

/**
 * The values a schema declares for a field: an `enum`, a `const`, or those listed in the
 * branches of an `anyOf`/`oneOf` (an open set of known values plus any string).
 */
export function knownValues(schema: Record<string, any> | undefined): string[] {
  if (!schema) return [];
  const own = [...(schema.enum ?? []), ...(schema.const !== undefined ? [schema.const] : [])];
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap((b: Record<string, any>) => knownValues(b));
  return [...new Set([...own, ...branches].filter((v): v is string => typeof v === "string"))];
}

/** The notifyType values a notification declares in the contract. */
export function notifyTypesOf(schema: "NotifyPaymentRequest" | "NotifyCaptureRequest"): string[] {
  return knownValues(contract().components.schemas[schema].properties.notifyType);
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}

/**
 * Which notification a body is (disputes by `disputeNotificationType`, the others by
 * `notifyType`), or the error that says why it is none: the field that decides, the values
 * each notification takes, and the closest one to what was sent.
 */
export function notificationKindOf(body: Record<string, unknown>): NotificationKind | ValidationError {
  const payment = notifyTypesOf("NotifyPaymentRequest");
  const capture = notifyTypesOf("NotifyCaptureRequest");
  // A dispute carries disputeNotificationType, or at least a disputeId and no notifyType.
  if (body.disputeNotificationType !== undefined || (body.disputeId !== undefined && body.notifyType === undefined)) return "notifyDispute";
  const notifyType = body.notifyType;
  if (typeof notifyType === "string" && payment.includes(notifyType)) return "notifyPayment";
  if (typeof notifyType === "string" && capture.includes(notifyType)) return "notifyCapture";
  const allowed = [...payment, ...capture];
  const candidates = `notifyType decides which notification it is: ${payment.map((v) => JSON.stringify(v)).join(", ")} for notifyPayment, ${capture
    .map((v) => JSON.stringify(v))
    .join(", ")} for notifyCapture; a dispute has disputeNotificationType instead`;
  if (notifyType === undefined) {
    return { path: "notifyType", rule: "required", message: `notifyType (or disputeNotificationType for a dispute) is required: ${candidates}`, allowed };
  }
  let hint = "";
  if (typeof notifyType === "string") {
    const [closest] = allowed.map((v) => [v, distance(notifyType.toUpperCase(), v)] as const).sort((a, b) => a[1] - b[1]);
    if (closest && closest[1] <= Math.max(2, Math.floor(closest[0].length / 3))) hint = ` (did you mean ${JSON.stringify(closest[0])}?)`;
  }
  return {
    path: "notifyType",
    rule: "enum",
    message: `${quote(notifyType, "notifyType")} is not a known notification type${hint}; ${candidates}`,
    allowed,
    actual: boundedValue(notifyType, "notifyType"),
  };
}

function describeType(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

/**
 * Verifies a notification from Antom and returns it parsed, validated against the contract and
 * narrowed by `kind`. Throws `NotificationSignatureError` when the signature headers are missing,
 * repeated or malformed, the signature does not verify, the client ID is another merchant's or
 * the `Request-Time` is outside the freshness window; `NotificationBodyError` when the (authentic)
 * body is not JSON, not a known notification, or not valid against the contract; and
 * `AntomConfigError` when an argument has the wrong type.
 */
export function verifyNotification(input: VerifyNotificationInput): AntomNotification {
  if (input === null || typeof input !== "object") throw new AntomConfigError("input", `must be an object with path, headers, body and antomPublicKey; got ${describeType(input)}`);
  if (typeof input.path !== "string") throw new AntomConfigError("path", `must be the notification endpoint's path as a string; got ${describeType(input.path)}`);
  if (input.headers === null || typeof input.headers !== "object" || Array.isArray(input.headers)) {
    throw new AntomConfigError("headers", `must be a Headers object or the request's headers as an object; got ${describeType(input.headers)}`);
  }
  if (typeof input.body !== "string" && !(input.body instanceof Uint8Array)) {
    throw new AntomConfigError("body", `must be the raw body as a Buffer, Uint8Array or string (not parsed JSON); got ${describeType(input.body)}`);
  }
  if (input.freshnessMinutes !== undefined && !(typeof input.freshnessMinutes === "number" && input.freshnessMinutes > 0 && Number.isFinite(input.freshnessMinutes))) {
    throw new AntomConfigError("freshnessMinutes", `must be a positive number of minutes; got ${quote(input.freshnessMinutes)}`);
  }
  const publicKey: KeyObject = toPublicKey(input.antomPublicKey, "antomPublicKey");
  const clientId = header(input.headers, "Client-Id");
  const requestTime = header(input.headers, "Request-Time");
  const signatureValue = header(input.headers, "Signature");
  for (const [name, value] of [["Client-Id", clientId], ["Request-Time", requestTime], ["Signature", signatureValue]] as const) {
    if (!value) throw new NotificationSignatureError(`the ${name} header is missing; it is part of what Antom signs`);
  }
  if (input.clientId !== undefined && clientId !== input.clientId) {
    throw new NotificationSignatureError(`the Client-Id header is ${quote(clientId)}, not this merchant's ${quote(input.clientId)}`);
  }
  if (input.freshnessMinutes !== undefined) {
    if (!/^[0-9]{1,15}$/.test(requestTime!)) throw new NotificationSignatureError(`the Request-Time header must be epoch milliseconds; got ${quote(requestTime)}`);
    const skew = (input.now ?? Date.now)() - Number(requestTime);
    if (Math.abs(skew) > input.freshnessMinutes * 60_000) {
      const minutes = Math.round(Math.abs(skew) / 60_000);
      throw new NotificationSignatureError(
        `the Request-Time header is ${minutes} minutes in the ${skew > 0 ? "past" : "future"}, outside the freshness window of ${input.freshnessMinutes} minutes`,
      );
    }
  }
  const parsed = parseSignatureHeader(signatureValue);
  if (!parsed) throw new NotificationSignatureError("the Signature header is not in the form algorithm=RSA256,keyVersion=<n>,signature=<value>");
  const raw = typeof input.body === "string" ? Buffer.from(input.body, "utf8") : Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength);
  const verified = verifyContent(
    { method: "POST", path: requestUri(input.path), clientId: clientId!, time: requestTime!, body: raw },
    parsed.signature,
    publicKey,
  );
  if (!verified) {
    throw new NotificationSignatureError(
      `the signature does not verify with antomPublicKey over POST ${requestUri(input.path)} (check the notification path, the key, and that the body is passed unparsed)`,
    );
  }

  const read = parseJsonBody(raw, { maxBytes: input.maxBytes });
  if (!read.ok) throw new NotificationBodyError(undefined, [read.error]);
  const body = read.value;
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new NotificationBodyError(undefined, [{ path: "(root)", rule: "type", message: `must be a JSON object; got ${describeType(body)}` }]);
  }
  const kind = notificationKindOf(body as Record<string, unknown>);
  if (typeof kind !== "string") throw new NotificationBodyError(undefined, [kind]);
  // Tolerant: Antom adds fields to its notifications over time.
  const checked = validate(`${kind}.request`, body, { mode: "tolerant" });
  if (!checked.valid) throw new NotificationBodyError(kind, checked.errors);
  return { kind, body, clientId: clientId!, requestTime: requestTime! } as AntomNotification;
}

/** The acknowledgement body Antom expects back (with HTTP 200 and `Content-Type: application/json`). */
export const NOTIFICATION_ACK = '{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}';

/** The exact body that acknowledges a notification; anything else makes Antom send it again. */
export function notificationAck(): string {
  return NOTIFICATION_ACK;
}

/**
 * Why a receiver's answer is not the acknowledgement Antom expects: HTTP 200, `Content-Type:
 * application/json`, and a body whose `result` is `SUCCESS` / `S` with a `resultMessage`. An
 * empty list when it is. The conformance suite's receiver check and the sandbox's delivery log
 * both judge answers with this.
 */
export function acknowledgementProblems(answer: { status?: number; contentType?: string | null; text?: string }): string[] {
  const problems: string[] = [];
  if (answer.status !== 200) problems.push(`HTTP status ${answer.status}, expected 200`);
  if (answer.contentType !== undefined && !/^application\/json\b/i.test(answer.contentType ?? "")) {
    problems.push(`Content-Type is ${answer.contentType ? JSON.stringify(answer.contentType) : "missing"}, expected application/json`);
  }
  const read = parseJsonBody(answer.text ?? "", { maxBytes: 64 * 1024 });
  if (!read.ok) return [...problems, `body ${read.error.message}: ${quote(answer.text ?? "", undefined, 120)}`];
  const body = read.value as { result?: Record<string, unknown> } | null;
  const result = validate("notifyPayment.response", body, { mode: "strict" });
  problems.push(...result.errors.map((e) => `acknowledgement ${e.path}: ${e.message}`));
  // Antom's acknowledgement is exact: resultCode SUCCESS, resultStatus S and a resultMessage.
  const ack = JSON.parse(NOTIFICATION_ACK) as { result: Record<string, string> };
  for (const field of ["resultCode", "resultStatus", "resultMessage"]) {
    const got = body && typeof body === "object" && body.result && typeof body.result === "object" ? body.result[field] : undefined;
    if (got === undefined) {
      if (!problems.some((p) => p.includes(`result.${field}`))) problems.push(`acknowledgement result.${field} is missing; Antom's acknowledgement is ${NOTIFICATION_ACK}`);
    } else if (field !== "resultMessage" && got !== ack.result[field]) {
      if (!problems.some((p) => p.includes(`result.${field}`))) problems.push(`acknowledgement result.${field} is ${quote(got)}, expected ${JSON.stringify(ack.result[field])}`);
    }
  }
  return problems;
}
