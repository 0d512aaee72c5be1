// Signed delivery and redelivery of notifications, on Antom's schedule and the tenant's clock.
// Each notification is one delivery record with the exact body; attempts are made until the
// receiver acknowledges with S/SUCCESS, at most 8 times in about 24 hours. Deliveries for one
// payment go in order: a later one waits until the earlier one has ended.
import type { KeyObject } from "node:crypto";
import { redactText } from "../core/redact.js";
import { requestUri, signedHeaders } from "../core/signing.js";
import type { Clocks } from "./clock.js";
import type { DeliveryAttempt, DeliveryRecord, NotificationKind, PaymentRecord } from "./model.js";
import type { Store } from "./store.js";

/** Antom's redelivery intervals: 0 s, 2 min, 10 min, 10 min, 1 h, 2 h, 6 h, 15 h. */
export const REDELIVERY_SCHEDULE_MS = [0, 2 * 60_000, 10 * 60_000, 10 * 60_000, 3_600_000, 2 * 3_600_000, 6 * 3_600_000, 15 * 3_600_000];

export interface NotifierOptions {
  store: Store;
  clocks: Clocks;
  antomPrivateKey: KeyObject;
  /** Send to hosts other than loopback. */
  allowRemote: boolean;
  /** How long one attempt may take. */
  timeoutMs: number;
  /** Where failures of background work are reported; they are never thrown at a caller who did not ask. */
  log: (line: string) => void;
  /** Expires unfinished payments that are due; called before deliveries that are due at the same time. */
  expire: (tenant: string, payment: PaymentRecord) => Promise<void>;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]|::1)$/i;
const MAX_RESPONSE_SHOWN = 512;

export function isLoopback(url: string): boolean {
  try {
    return LOOPBACK.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Why an answer is or is not Antom's acknowledgement. */
function ackVerdict(status: number, contentType: string | null, text: string): { acknowledged: boolean; verdict: string } {
  if (status !== 200) return { acknowledged: false, verdict: `HTTP ${status}, not 200` };
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return { acknowledged: false, verdict: "the answer is not JSON" };
  }
  const result = body?.result;
  if (result?.resultStatus !== "S" || result?.resultCode !== "SUCCESS") {
    return { acknowledged: false, verdict: `result is ${JSON.stringify(result?.resultStatus)}/${JSON.stringify(result?.resultCode)}; only S/SUCCESS stops redelivery` };
  }
  const json = contentType !== null && /application\/json/i.test(contentType);
  return { acknowledged: true, verdict: json ? "acknowledged" : `acknowledged (Content-Type ${JSON.stringify(contentType)}, expected application/json)` };
}

export class Notifier {
  private readonly running = new Map<string, Promise<void>>();
  private seq = 0;

  constructor(private readonly options: NotifierOptions) {}

  /** Files a notification for delivery; its first attempt is due at once. */
  async enqueue(tenant: string, input: { kind: NotificationKind; url: string; body: object; paymentId?: string; clientId: string }): Promise<DeliveryRecord> {
    const now = await this.options.clocks.now(tenant);
    const deliveries = await this.options.store.list<DeliveryRecord>(tenant, "deliveries");
    const earlier = input.paymentId ? deliveries.filter((d) => d.paymentId === input.paymentId && d.state === "pending").at(-1) : undefined;
    const seq = Math.max(this.seq, ...deliveries.map((d) => d.seq)) + 1;
    this.seq = seq;
    const refused = !this.options.allowRemote && !isLoopback(input.url);
    const record: DeliveryRecord = {
      id: `${input.kind}-${seq}`,
      seq,
      kind: input.kind,
      url: input.url,
      paymentId: input.paymentId,
      body: JSON.stringify(input.body),
      createTime: now,
      state: refused ? "refused" : "pending",
      nextAt: now,
      after: earlier?.id,
      attempts: refused
        ? [{ attempt: 0, time: now, url: input.url, acknowledged: false, verdict: "not sent: the host is not loopback (start the sandbox with --allow-remote-notifications to send it)" }]
        : [],
    };
    await this.options.store.insert(tenant, "deliveries", record.id, record);
    return record;
  }

  /**
   * Makes everything that is due on the tenant's clock happen, in time order: expiries of
   * unfinished payments and delivery attempts, including those they cause. Runs one at a time
   * per tenant; a second call waits for the first.
   */
  runDue(tenant: string, clientId: string): Promise<void> {
    const previous = this.running.get(tenant) ?? Promise.resolve();
    const next = previous.then(() => this.drain(tenant, clientId)).catch((error: unknown) => this.options.log(`sandbox: due work for ${tenant} failed: ${(error as Error)?.stack ?? String(error)}`));
    this.running.set(tenant, next);
    void next.then(() => {
      if (this.running.get(tenant) === next) this.running.delete(tenant);
    });
    return next;
  }

  private async drain(tenant: string, clientId: string): Promise<void> {
    for (let guard = 0; guard < 10_000; guard++) {
      const now = await this.options.clocks.now(tenant);
      const payments = await this.options.store.list<PaymentRecord>(tenant, "payments");
      const expiring = payments.filter((p) => p.status === "PROCESSING" && p.expiryTime <= now).sort((a, b) => a.expiryTime - b.expiryTime)[0];
      const deliveries = await this.options.store.list<DeliveryRecord>(tenant, "deliveries");
      const ended = new Set(deliveries.filter((d) => d.state !== "pending").map((d) => d.id));
      const ready = deliveries
        .filter((d) => d.state === "pending" && d.nextAt <= now && (d.after === undefined || ended.has(d.after)))
        .sort((a, b) => a.nextAt - b.nextAt || a.seq - b.seq)[0];
      if (expiring && (!ready || expiring.expiryTime <= ready.nextAt)) {
        await this.options.expire(tenant, expiring);
        continue;
      }
      if (!ready) return;
      await this.attempt(tenant, clientId, ready);
    }
  }

  /** One attempt at a delivery, recorded at the time it was due. */
  private async attempt(tenant: string, clientId: string, delivery: DeliveryRecord): Promise<void> {
    const at = delivery.nextAt;
    const number = delivery.attempts.length + 1;
    const headers = {
      "Content-Type": "application/json; charset=UTF-8",
      // The signature time is when the message really leaves, as on Antom's side.
      ...signedHeaders({ method: "POST", path: requestUri(delivery.url), clientId, time: String(Date.now()), body: delivery.body }, this.options.antomPrivateKey),
    };
    let outcome: Omit<DeliveryAttempt, "attempt" | "time" | "url">;
    try {
      const response = await fetch(delivery.url, { method: "POST", headers, body: delivery.body, redirect: "manual", signal: AbortSignal.timeout(this.options.timeoutMs) });
      const text = await response.text();
      const shown = text.length > MAX_RESPONSE_SHOWN ? `${text.slice(0, MAX_RESPONSE_SHOWN)}...` : text;
      outcome = { httpStatus: response.status, response: redactText(shown), ...ackVerdict(response.status, response.headers.get("content-type"), text) };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message;
      const reason = (error as Error).name === "TimeoutError" ? `no answer within ${this.options.timeoutMs} ms` : why ? `not delivered (${why})` : `not delivered (${(error as Error).message})`;
      outcome = { acknowledged: false, verdict: reason };
    }
    const entry: DeliveryAttempt = { attempt: number, time: at, url: delivery.url, ...outcome };
    await this.options.store.update<DeliveryRecord>(tenant, "deliveries", delivery.id, (current) => {
      if (!current) return undefined;
      const attempts = [...current.attempts, entry];
      if (entry.acknowledged) return { ...current, attempts, state: "acknowledged" };
      if (attempts.length >= REDELIVERY_SCHEDULE_MS.length) return { ...current, attempts, state: "exhausted" };
      return { ...current, attempts, nextAt: at + REDELIVERY_SCHEDULE_MS[attempts.length] };
    });
  }

  /** Every delivery of a tenant, oldest first. */
  async deliveries(tenant: string): Promise<DeliveryRecord[]> {
    return (await this.options.store.list<DeliveryRecord>(tenant, "deliveries")).sort((a, b) => a.seq - b.seq);
  }
}
