// Signed delivery and redelivery of notifications, on Antom's schedule and the tenant's clock.
// Each notification is one delivery record with the exact body; attempts are made until the
// receiver acknowledges with S/SUCCESS, at most 8 times in about 24 hours. Deliveries for one
// payment go in order: a later one waits until the earlier one has ended.
import type { KeyObject } from "node:crypto";
import { acknowledgementProblems } from "../core/notifications.js";
import { redactText } from "../core/redact.js";
import { requestUri, signedHeaders } from "../core/signing.js";
import type { Clocks } from "./clock.js";
import type { DeliveryAttempt, DeliveryRecord, NotificationKind, PaymentRecord, TimerRecord } from "./model.js";
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

/**
 * Whether an answer stops redelivery (HTTP 200 and S / SUCCESS, as for Antom), and the verdict in
 * words: the project's one acknowledgement check names anything else a receiver got wrong.
 */
function ackVerdict(status: number, contentType: string | null, text: string): { acknowledged: boolean; verdict: string } {
  const problems = acknowledgementProblems({ status, contentType, text });
  let result: { resultStatus?: unknown; resultCode?: unknown } | undefined;
  try {
    result = (JSON.parse(text) as { result?: typeof result } | null)?.result;
  } catch {
    result = undefined;
  }
  const acknowledged = status === 200 && result?.resultStatus === "S" && result?.resultCode === "SUCCESS";
  if (acknowledged) return { acknowledged, verdict: problems.length === 0 ? "acknowledged" : `acknowledged, but: ${problems.join("; ")}` };
  return { acknowledged, verdict: `${problems.join("; ")}; only S/SUCCESS stops redelivery` };
}

export class Notifier {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: NotifierOptions) {}

  /** The next creation number of a tenant (deliveries and timers are ordered by it). */
  private async nextSeq(tenant: string): Promise<number> {
    const counter = await this.options.store.update<{ seq: number }>(tenant, "clock", "seq", (current) => ({ seq: (current?.seq ?? 0) + 1 }));
    return counter!.seq;
  }

  /** Arranges for an unfinished payment to fail at its expiry, if it is still unfinished then. */
  async scheduleExpiry(tenant: string, payment: PaymentRecord): Promise<void> {
    const seq = await this.nextSeq(tenant);
    await this.options.store.insert<TimerRecord>(tenant, "timers", `expire:${payment.paymentId}`, { id: `expire:${payment.paymentId}`, kind: "expire", target: payment.paymentId, dueAt: payment.expiryTime, seq });
  }

  /** Files a notification for delivery; its first attempt is due at once. */
  async enqueue(tenant: string, input: { kind: NotificationKind; url: string; body: object; paymentId?: string; clientId: string }): Promise<DeliveryRecord> {
    const now = await this.options.clocks.now(tenant);
    const seq = await this.nextSeq(tenant);
    const timers = input.paymentId ? await this.options.store.list<TimerRecord>(tenant, "timers") : [];
    const earlier = timers.filter((t) => t.kind === "deliver" && t.paymentId === input.paymentId).sort((a, b) => a.seq - b.seq).at(-1);
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
      after: earlier?.target,
      attempts: refused
        ? [{ attempt: 0, time: now, url: input.url, acknowledged: false, verdict: "not sent: the host is not loopback (start the sandbox with --allow-remote-notifications to send it)" }]
        : [],
    };
    await this.options.store.insert(tenant, "deliveries", record.id, record);
    if (!refused) {
      const timer: TimerRecord = { id: `deliver:${record.id}`, kind: "deliver", target: record.id, dueAt: now, seq, paymentId: input.paymentId, after: earlier?.target };
      await this.options.store.insert(tenant, "timers", timer.id, timer);
    }
    return record;
  }

  /**
   * Makes everything that is due on the tenant's clock happen, in time order: expiries of
   * unfinished payments and delivery attempts, including those they cause. Runs one at a time
   * per tenant; a second call waits for the first. Failures are logged, never thrown.
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
    for (let guard = 0; guard < 100_000; guard++) {
      const now = await this.options.clocks.now(tenant);
      const timers = await this.options.store.list<TimerRecord>(tenant, "timers");
      const live = new Set(timers.map((t) => t.target));
      // A delivery waits while the earlier one of its payment is still being delivered.
      const due = timers
        .filter((t) => t.dueAt <= now && (t.after === undefined || !live.has(t.after)))
        .sort((a, b) => a.dueAt - b.dueAt || (a.kind === b.kind ? 0 : a.kind === "expire" ? -1 : 1) || a.seq - b.seq)[0];
      if (!due) return;
      if (due.kind === "expire") {
        const payment = await this.options.store.get<PaymentRecord>(tenant, "payments", due.target);
        await this.options.store.remove(tenant, "timers", due.id);
        if (payment?.status === "PROCESSING") await this.options.expire(tenant, payment);
        continue;
      }
      const delivery = await this.options.store.get<DeliveryRecord>(tenant, "deliveries", due.target);
      if (!delivery || delivery.state !== "pending") {
        await this.options.store.remove(tenant, "timers", due.id);
        continue;
      }
      await this.attempt(tenant, clientId, delivery, due);
    }
  }

  /** One attempt at a delivery, recorded at the time it was due. */
  private async attempt(tenant: string, clientId: string, delivery: DeliveryRecord, timer: TimerRecord): Promise<void> {
    const at = timer.dueAt;
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
    const updated = await this.options.store.update<DeliveryRecord>(tenant, "deliveries", delivery.id, (current) => {
      if (!current) return undefined;
      const attempts = [...current.attempts, entry];
      if (entry.acknowledged) return { ...current, attempts, state: "acknowledged" };
      if (attempts.length >= REDELIVERY_SCHEDULE_MS.length) return { ...current, attempts, state: "exhausted" };
      return { ...current, attempts, nextAt: at + REDELIVERY_SCHEDULE_MS[attempts.length] };
    });
    if (updated?.state === "pending") {
      await this.options.store.update<TimerRecord>(tenant, "timers", timer.id, (current) => (current ? { ...current, dueAt: updated.nextAt } : undefined));
      return;
    }
    await this.options.store.remove(tenant, "timers", timer.id);
    // A delivery held behind this one starts its own schedule now, not at the time it was filed.
    for (const held of (await this.options.store.list<TimerRecord>(tenant, "timers")).filter((t) => t.after === delivery.id)) {
      await this.options.store.update<TimerRecord>(tenant, "timers", held.id, (current) => (current ? { ...current, dueAt: Math.max(current.dueAt, at) } : undefined));
    }
  }

  /** Every delivery of a tenant, oldest first. */
  async deliveries(tenant: string): Promise<DeliveryRecord[]> {
    return (await this.options.store.list<DeliveryRecord>(tenant, "deliveries")).sort((a, b) => a.seq - b.seq);
  }
}
