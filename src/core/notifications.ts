// Notifications Antom POSTs to the merchant (notifyPayment, notifyCapture, notifyDispute):
// verify the signature over the raw body, recognise the kind, validate it against the
// contract, and acknowledge it with the one body Antom accepts.
import type { KeyObject } from "node:crypto";
import { contract } from "./contract.js";
import { validate, type ValidationError } from "./validate.js";
import type { components } from "../../generated/antom.js";
import { NotificationBodyError, NotificationSignatureError } from "./errors.js";
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
  /** When given, a notification for another client ID is rejected. */
  clientId?: string;
}

function header(headers: HeadersInput, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

// The known notifyType values of each notification: an open set in the contract, whose first
// branch lists them (`anyOf: [{ enum: [...] }, { type: string }]`).
const notifyTypesOf = (schema: string): string[] => {
  const node = contract().components.schemas[schema].properties.notifyType;
  return node.enum ?? node.anyOf?.find((branch: { enum?: string[] }) => Array.isArray(branch.enum))?.enum ?? [];
};

/**
 * Which notification a body is (disputes by `disputeNotificationType`, the others by
 * `notifyType`), or the error that says why it is none.
 */
export function notificationKindOf(body: Record<string, unknown>): NotificationKind | ValidationError {
  const PAYMENT_NOTIFY_TYPES = notifyTypesOf("NotifyPaymentRequest");
  const CAPTURE_NOTIFY_TYPES = notifyTypesOf("NotifyCaptureRequest");
  // A dispute carries disputeNotificationType, or at least a disputeId and no notifyType.
  if (body.disputeNotificationType !== undefined || (body.disputeId !== undefined && body.notifyType === undefined)) return "notifyDispute";
  const notifyType = body.notifyType;
  if (typeof notifyType === "string" && PAYMENT_NOTIFY_TYPES.includes(notifyType)) return "notifyPayment";
  if (typeof notifyType === "string" && CAPTURE_NOTIFY_TYPES.includes(notifyType)) return "notifyCapture";
  const allowed = [...PAYMENT_NOTIFY_TYPES, ...CAPTURE_NOTIFY_TYPES];
  return notifyType === undefined
    ? { path: "notifyType", rule: "required", message: "notifyType (or disputeNotificationType for a dispute) is required" }
    : {
        path: "notifyType",
        rule: "enum",
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}; got ${JSON.stringify(notifyType)}`,
        allowed,
        actual: notifyType,
      };
}

/**
 * Verifies a notification from Antom and returns it parsed, validated against the contract and
 * narrowed by `kind`. Throws `NotificationSignatureError` when the signature headers are missing
 * or the signature does not verify, and `NotificationBodyError` when the (authentic) body is not
 * JSON, not a known notification, or not valid against the contract.
 */
export function verifyNotification(input: VerifyNotificationInput): AntomNotification {
  const publicKey: KeyObject = toPublicKey(input.antomPublicKey, "antomPublicKey");
  const clientId = header(input.headers, "Client-Id");
  const requestTime = header(input.headers, "Request-Time");
  const signatureValue = header(input.headers, "Signature");
  for (const [name, value] of [["Client-Id", clientId], ["Request-Time", requestTime], ["Signature", signatureValue]] as const) {
    if (!value) throw new NotificationSignatureError(`the ${name} header is missing; it is part of what Antom signs`);
  }
  if (input.clientId !== undefined && clientId !== input.clientId) {
    throw new NotificationSignatureError(`the Client-Id header is ${JSON.stringify(clientId)}, not this merchant's ${JSON.stringify(input.clientId)}`);
  }
  const parsed = parseSignatureHeader(signatureValue);
  if (!parsed) throw new NotificationSignatureError("the Signature header is not in the form algorithm=RSA256,keyVersion=<n>,signature=<value>");
  const raw = typeof input.body === "string" ? Buffer.from(input.body, "utf8") : Buffer.from(input.body);
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

  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new NotificationBodyError(undefined, [{ path: "(root)", rule: "json", message: `is not JSON: ${(error as Error).message}` }]);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new NotificationBodyError(undefined, [{ path: "(root)", rule: "type", message: "must be a JSON object", actual: body }]);
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
