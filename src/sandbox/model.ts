// The records the sandbox keeps per tenant. Times are epoch milliseconds on the tenant's clock.
import type { components } from "../../generated/antom.js";

type Schemas = components["schemas"];
export type Amount = Schemas["Amount"];
export type PayResponse = Schemas["PayResponse"];
export type PaymentResultInfo = Schemas["PaymentResultInfo"];

export type PaymentStatus = "PROCESSING" | "SUCCESS" | "FAIL" | "CANCELLED";

/** The card a payment was made with, as it may be shown (never the full number). */
export interface CardSummary {
  /** `************0768`, as Antom masks it. */
  masked: string;
  brand: string;
  funding: string;
  issuingCountry: string;
  cardToken?: string;
  multiCapture: boolean;
  threeDS?: { challenged: boolean };
}

export interface CaptureRecord {
  captureRequestId: string;
  captureId: string;
  amount: Amount;
  time: number;
  /** `S` captured, `F` refused. */
  status: "S" | "F";
  resultCode: string;
  resultMessage: string;
  /** Captures Antom makes by itself right after an automatic-capture authorization. */
  automatic: boolean;
}

export interface HistoryEntry {
  time: number;
  event: string;
}

export interface PaymentRecord {
  paymentId: string;
  paymentRequestId: string;
  status: PaymentStatus;
  resultCode: string;
  resultMessage: string;
  amount: Amount;
  createTime: number;
  paymentTime?: number;
  /** An unfinished payment fails at this time. */
  expiryTime: number;
  authExpiryTime?: number;
  captureMode: "AUTOMATIC" | "MANUAL";
  card?: CardSummary;
  /** What the buyer still has to do on the sandbox's page: pass a 3-D Secure challenge, or enter a card. */
  pending?: "challenge" | "hosted";
  /** Where notifications for this payment go (`paymentNotifyUrl`, else the merchant's). */
  notifyUrl?: string;
  /** `paymentRedirectUrl`: where the sandbox's pages send the buyer when done. */
  redirectUrl?: string;
  tokenize: boolean;
  captures: CaptureRecord[];
  cancelTime?: number;
  history: HistoryEntry[];
}

/** The idempotency record of one paymentRequestId: what the first pay fixed, and its answer. */
export interface PaymentRequestRecord {
  paymentId?: string;
  /** Hash of the key parameters (amount, currency, payment method). */
  fingerprint: string;
  /** The first answer as JSON text: one string is cheaper to keep than its many objects. */
  answer: string;
}

/** The idempotency record of one captureRequestId. */
export interface CaptureRequestRecord {
  paymentId: string;
  fingerprint: string;
}

export interface CardTokenRecord {
  /** The number behind the token; never rendered. */
  cardNo: string;
  masked: string;
}

export type NotificationKind = "notifyPayment" | "notifyCapture" | "notifyDispute";

export interface DeliveryAttempt {
  attempt: number;
  /** Tenant time the attempt was made at. */
  time: number;
  url: string;
  /** HTTP status of the receiver's answer; absent when none came. */
  httpStatus?: number;
  /** The receiver's answer, cut and redacted. */
  response?: string;
  acknowledged: boolean;
  /** Why the answer is or is not an acknowledgement. */
  verdict: string;
}

export interface DeliveryRecord {
  id: string;
  /** Creation order within the tenant. */
  seq: number;
  kind: NotificationKind;
  url: string;
  paymentId?: string;
  /** The exact body, the same bytes on every attempt. */
  body: string;
  createTime: number;
  /** `pending` until acknowledged, refused (not loopback) or out of attempts. */
  state: "pending" | "acknowledged" | "exhausted" | "refused";
  /** When the next attempt is due. */
  nextAt: number;
  /** An earlier delivery for the same payment that must end first, so a receiver sees them in order. */
  after?: string;
  attempts: DeliveryAttempt[];
}

export interface DisputeRecord {
  disputeId: string;
  paymentId: string;
  paymentRequestId: string;
  amount: Amount;
  reasonCode: string;
  reasonMsg: string;
  source: string;
  createTime: number;
  defenseDueTime: number;
  judgedResult?: string;
  judgedTime?: number;
}

export interface MerchantRecord {
  clientId: string;
  /** Public keys by key version, as SPKI PEM. */
  publicKeys: Record<string, string>;
  notifyUrl?: string;
}

/**
 * What is due on a tenant's clock: an unfinished payment's expiry, or a delivery's next attempt.
 * Only live work has a timer, so finding what is due never scans finished payments.
 */
export interface TimerRecord {
  id: string;
  kind: "expire" | "deliver";
  /** The payment that expires, or the delivery to attempt. */
  target: string;
  dueAt: number;
  /** Creation order, for ties. */
  seq: number;
  /** For a delivery: its payment, and the earlier delivery of that payment that must end first. */
  paymentId?: string;
  after?: string;
}
