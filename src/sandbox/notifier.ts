// Signed delivery and redelivery of notifications, on Antom's schedule and the tenant's clock.
// Each notification is one delivery record with the exact body; attempts are made until the
// receiver acknowledges with S/SUCCESS, at most 8 times in about 24 hours. Deliveries for one
// payment go in order: a later one waits until the earlier one has ended.
//
// Several sandbox instances may share one store. Due work for a tenant is then run by one of them
// at a time, under a lease kept in the store and renewed before every step; an instance that dies
// lets its lease lapse, and another runs what is due. Each attempt is recorded at most once (the
// record must still have as many attempts as the sender saw), so none is lost and none is doubled.
import { randomUUID, type KeyObject } from "node:crypto";
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

/** Who runs a tenant's due work now, and until when (real time, ms) unless renewed. */
interface LeaseRecord {
  owner: string;
  until: number;
}

/** The last delivery filed for a payment: the next one waits for it. */
interface ChainRecord {
  last: string;
}

const LEASE = "due-work";
/** The due time of a timer not yet published: never due. */
const PARKED = Number.MAX_SAFE_INTEGER;
/** How long a lease outlives its last renewal, beyond the longest attempt. */
const LEASE_MARGIN_MS = 5_000;
/** How often a caller that must wait for another instance's lease asks again. */
const LEASE_POLL_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The timer to run next: the earliest due, expiries before deliveries, then in creation order; a delivery waits while the earlier one of its payment is still being delivered. */
function nextDue(timers: TimerRecord[], now: number): TimerRecord | undefined {
  const live = new Set(timers.map((t) => t.target));
  return timers
    .filter((t) => t.dueAt <= now && (t.after === undefined || !live.has(t.after)))
    .sort((a, b) => a.dueAt - b.dueAt || (a.kind === b.kind ? 0 : a.kind === "expire" ? -1 : 1) || a.seq - b.seq)[0];
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
  /** Aborts attempts in flight when the sandbox closes; they are neither recorded nor lost. */
  private readonly closing = new AbortController();
  private readonly leaseMs: number;

  constructor(private readonly options: NotifierOptions) {
    this.leaseMs = options.timeoutMs + LEASE_MARGIN_MS;
  }

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
    const id = `${input.kind}-${seq}`;
    const refused = !this.options.allowRemote && !isLoopback(input.url);
    const timerId = `deliver:${id}`;
    let after: string | undefined;
    if (!refused) {
      // The timer exists, parked, before the payment's chain names this delivery, so a later
      // delivery filed by any instance finds it live and waits for it.
      await this.options.store.insert<TimerRecord>(tenant, "timers", timerId, { id: timerId, kind: "deliver", target: id, dueAt: PARKED, seq, paymentId: input.paymentId });
      // The chain names the delivery filed before this one, atomically, whichever instance filed it.
      if (input.paymentId) {
        await this.options.store.update<ChainRecord>(tenant, "chains", input.paymentId, (current) => {
          after = current?.last;
          return { last: id };
        });
      }
    }
    const record: DeliveryRecord = {
      id,
      seq,
      kind: input.kind,
      url: input.url,
      paymentId: input.paymentId,
      body: JSON.stringify(input.body),
      createTime: now,
      state: refused ? "refused" : "pending",
      nextAt: now,
      after,
      attempts: refused
        ? [{ attempt: 0, time: now, url: input.url, acknowledged: false, verdict: "not sent: the host is not loopback (start the sandbox with --allow-remote-notifications to send it)" }]
        : [],
    };
    await this.options.store.insert(tenant, "deliveries", record.id, record);
    // Due now, behind the earlier delivery of its payment.
    if (!refused) await this.options.store.update<TimerRecord>(tenant, "timers", timerId, (current) => (current ? { ...current, dueAt: now, after } : undefined));
    return record;
  }

  /**
   * Makes everything that is due on the tenant's clock happen, in time order: expiries of
   * unfinished payments and delivery attempts, including those they cause. Runs one at a time
   * per tenant: in this process a second call waits for the first; across instances, the one
   * holding the tenant's lease runs it. With `wait`, the call returns only once it has run what
   * is due itself (waiting for another instance's lease if need be); without, it leaves the work
   * to the holder, which looks again when it lets go. Failures are logged, never thrown.
   */
  runDue(tenant: string, clientId: string, wait = false): Promise<void> {
    const previous = this.running.get(tenant) ?? Promise.resolve();
    const next = previous.then(() => this.runLeased(tenant, clientId, wait)).catch((error: unknown) => this.options.log(`sandbox: due work for ${tenant} failed: ${(error as Error)?.stack ?? String(error)}`));
    this.running.set(tenant, next);
    void next.then(() => {
      if (this.running.get(tenant) === next) this.running.delete(tenant);
    });
    return next;
  }

  /** Stops running due work: attempts in flight are abandoned unrecorded (another instance, or a restart, makes them), leases are let go. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.running.values()]);
  }

  private async runLeased(tenant: string, clientId: string, wait: boolean): Promise<void> {
    // The real-time tick calls for every tenant: most have nothing due, and need no lease.
    if (!wait && !(await this.anythingDue(tenant))) return;
    while (!this.closing.signal.aborted) {
      const token = await this.acquire(tenant);
      if (!token) {
        if (!wait) return;
        await sleep(LEASE_POLL_MS);
        continue;
      }
      try {
        await this.drain(tenant, clientId, token);
      } finally {
        await this.release(tenant, token);
      }
      // Work another instance filed while this one held the lease was left to it: look once more.
      if (!(await this.anythingDue(tenant))) return;
    }
  }

  private async anythingDue(tenant: string): Promise<boolean> {
    const [now, timers] = await Promise.all([this.options.clocks.now(tenant), this.options.store.list<TimerRecord>(tenant, "timers")]);
    return nextDue(timers, now) !== undefined;
  }

  private async acquire(tenant: string): Promise<string | undefined> {
    const token = randomUUID();
    const now = Date.now();
    const lease = await this.options.store.update<LeaseRecord>(tenant, "leases", LEASE, (current) =>
      current && current.until > now ? undefined : { owner: token, until: now + this.leaseMs },
    );
    return lease?.owner === token ? token : undefined;
  }

  /** Extends the lease; false when it lapsed and another instance took it. */
  private async renew(tenant: string, token: string): Promise<boolean> {
    const lease = await this.options.store.update<LeaseRecord>(tenant, "leases", LEASE, (current) =>
      current?.owner === token ? { owner: token, until: Date.now() + this.leaseMs } : undefined,
    );
    return lease?.owner === token;
  }

  private async release(tenant: string, token: string): Promise<void> {
    await this.options.store.update<LeaseRecord>(tenant, "leases", LEASE, (current) => (current?.owner === token ? { owner: token, until: 0 } : undefined));
  }

  private async drain(tenant: string, clientId: string, token: string): Promise<void> {
    for (let guard = 0; guard < 100_000; guard++) {
      if (this.closing.signal.aborted || !(await this.renew(tenant, token))) return;
      const now = await this.options.clocks.now(tenant);
      const due = nextDue(await this.options.store.list<TimerRecord>(tenant, "timers"), now);
      if (!due) return;
      if (due.kind === "expire") {
        const payment = await this.options.store.get<PaymentRecord>(tenant, "payments", due.target);
        if (payment?.status === "PROCESSING") await this.options.expire(tenant, payment);
        await this.options.store.remove(tenant, "timers", due.id);
        continue;
      }
      const delivery = await this.options.store.get<DeliveryRecord>(tenant, "deliveries", due.target);
      if (!delivery || delivery.state !== "pending") {
        await this.options.store.remove(tenant, "timers", due.id);
        continue;
      }
      // The delivery is the truth: a timer left behind when its update failed is moved to the delivery's next time.
      if (delivery.nextAt > due.dueAt) {
        await this.options.store.update<TimerRecord>(tenant, "timers", due.id, (current) => (current ? { ...current, dueAt: delivery.nextAt } : undefined));
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
      const signal = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.closing.signal]);
      const response = await fetch(delivery.url, { method: "POST", headers, body: delivery.body, redirect: "manual", signal });
      const text = await response.text();
      const shown = text.length > MAX_RESPONSE_SHOWN ? `${text.slice(0, MAX_RESPONSE_SHOWN)}...` : text;
      outcome = { httpStatus: response.status, response: redactText(shown), ...ackVerdict(response.status, response.headers.get("content-type"), text) };
    } catch (error) {
      // Closing: this attempt did not finish here. It stays due, for another instance or a restart.
      if (this.closing.signal.aborted) return;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message;
      const reason = (error as Error).name === "TimeoutError" ? `no answer within ${this.options.timeoutMs} ms` : why ? `not delivered (${why})` : `not delivered (${(error as Error).message})`;
      outcome = { acknowledged: false, verdict: reason };
    }
    const entry: DeliveryAttempt = { attempt: number, time: at, url: delivery.url, ...outcome };
    let recorded = false;
    const updated = await this.options.store.update<DeliveryRecord>(tenant, "deliveries", delivery.id, (current) => {
      // Recorded once: if another instance recorded this attempt meanwhile (this one's lease lapsed), it stands.
      recorded = current !== undefined && current.state === "pending" && current.attempts.length === number - 1;
      if (!recorded || !current) return undefined;
      const attempts = [...current.attempts, entry];
      if (entry.acknowledged) return { ...current, attempts, state: "acknowledged" };
      if (attempts.length >= REDELIVERY_SCHEDULE_MS.length) return { ...current, attempts, state: "exhausted" };
      return { ...current, attempts, nextAt: at + REDELIVERY_SCHEDULE_MS[attempts.length] };
    });
    if (!recorded) return;
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
