// The sandbox's state machine behind the HTTP server: merchants (tenants), their clocks, their
// payments, and the notifications those cause. The operations in operations/ act through it.
import { createPublicKey, type KeyObject } from "node:crypto";
import { toPublicKey } from "../core/keys.js";
import { Clocks, isoTime } from "./clock.js";
import type { CaptureRecord, DeliveryRecord, MerchantRecord, NotificationKind, PaymentRecord } from "./model.js";
import { Notifier } from "./notifier.js";
import type { Store } from "./store.js";

/** Merchants are filed apart from tenant state, so resetting a tenant keeps its registration. */
const REGISTRY = "\u0000registry";

export interface EngineOptions {
  store: Store;
  antomPrivateKey: KeyObject;
  allowRemoteNotifications?: boolean;
  /** How long one notification attempt may take (default 5 s). */
  deliveryTimeoutMs?: number;
  /** The sandbox's own base URL, for the pages in `normalUrl`. */
  baseUrl?: () => string;
  /** Where errors that no caller can receive are reported (failed background work). */
  log?: (line: string) => void;
  realNow?: () => number;
}

/** The default time an unfinished payment has: about 14 minutes. */
export const DEFAULT_PAYMENT_EXPIRY_MS = 14 * 60_000;
/** How long a manual-capture authorization lasts: 7 days. */
export const AUTH_VALIDITY_MS = 7 * 24 * 3_600_000;

export class Engine {
  readonly store: Store;
  readonly clocks: Clocks;
  readonly notifier: Notifier;
  readonly antomPrivateKey: KeyObject;
  readonly baseUrl: () => string;
  readonly log: (line: string) => void;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.clocks = new Clocks(options.store, options.realNow);
    this.antomPrivateKey = options.antomPrivateKey;
    this.baseUrl = options.baseUrl ?? (() => "http://127.0.0.1:4012");
    this.log = options.log ?? ((line) => console.error(line));
    this.notifier = new Notifier({
      store: options.store,
      clocks: this.clocks,
      antomPrivateKey: options.antomPrivateKey,
      allowRemote: options.allowRemoteNotifications ?? false,
      timeoutMs: options.deliveryTimeoutMs ?? 5_000,
      expire: (tenant, payment) => this.expire(tenant, payment),
      log: (line) => this.log(line),
    });
  }

  /** The sandbox's public key, as the PEM merchants verify answers and notifications with. */
  antomPublicKeyPem(): string {
    return createPublicKey(this.antomPrivateKey).export({ type: "spki", format: "pem" }).toString();
  }

  // ---- merchants -------------------------------------------------------------------------

  /** Registers (or re-registers) a merchant; the key is PEM or base64 DER. Throws AntomConfigError on a bad key. */
  async registerMerchant(input: { clientId: string; publicKey: string; notifyUrl?: string; keyVersion?: string }): Promise<MerchantRecord> {
    const pem = toPublicKey(input.publicKey, "publicKey").export({ type: "spki", format: "pem" }).toString();
    const version = input.keyVersion ?? "1";
    const merchant = await this.store.update<MerchantRecord>(REGISTRY, "merchants", input.clientId, (current) => ({
      clientId: input.clientId,
      publicKeys: { ...(current?.publicKeys ?? {}), [version]: pem },
      notifyUrl: input.notifyUrl ?? current?.notifyUrl,
    }));
    return merchant!;
  }

  merchant(clientId: string): Promise<MerchantRecord | undefined> {
    return this.store.get<MerchantRecord>(REGISTRY, "merchants", clientId);
  }

  /** Parsed keys by their PEM: parsing a key costs more than verifying a signature with it. */
  private readonly keys = new Map<string, KeyObject>();

  /**
   * A merchant's public key for a key version, parsed once; undefined when none is registered.
   * Given the merchant's record already read, it asks the store nothing more.
   */
  async merchantKey(merchant: string | MerchantRecord, keyVersion: string): Promise<KeyObject | undefined> {
    const record = typeof merchant === "string" ? await this.merchant(merchant) : merchant;
    const pem = record?.publicKeys[keyVersion];
    if (pem === undefined) return undefined;
    let key = this.keys.get(pem);
    if (!key) {
      if (this.keys.size >= 10_000) this.keys.clear();
      this.keys.set(pem, (key = createPublicKey(pem)));
    }
    return key;
  }

  async reset(clientId: string): Promise<void> {
    await this.store.reset(clientId);
  }

  // ---- payments --------------------------------------------------------------------------

  payment(tenant: string, paymentId: string): Promise<PaymentRecord | undefined> {
    return this.store.get<PaymentRecord>(tenant, "payments", paymentId);
  }

  async paymentByRequestId(tenant: string, paymentRequestId: string): Promise<PaymentRecord | undefined> {
    const request = await this.store.get<{ paymentId?: string }>(tenant, "paymentRequests", paymentRequestId);
    return request?.paymentId ? this.payment(tenant, request.paymentId) : undefined;
  }

  /** Atomically changes a payment; `change` returns undefined to leave it as it is. */
  updatePayment(tenant: string, paymentId: string, change: (payment: PaymentRecord) => PaymentRecord | undefined): Promise<PaymentRecord | undefined> {
    return this.store.update<PaymentRecord>(tenant, "payments", paymentId, (current) => (current ? change(current) : undefined));
  }

  /** Where a payment's notifications go: its `paymentNotifyUrl`, else the merchant's registered URL. */
  async notifyUrlOf(tenant: string, payment: PaymentRecord): Promise<string | undefined> {
    return payment.notifyUrl ?? (await this.merchant(tenant))?.notifyUrl;
  }

  /** Files a notification and starts delivering it (the first attempt is due at once). */
  async notify(tenant: string, kind: NotificationKind, body: object, paymentId: string | undefined, url: string | undefined): Promise<DeliveryRecord | undefined> {
    if (!url) return undefined;
    const record = await this.notifier.enqueue(tenant, { kind, url, body, paymentId, clientId: tenant });
    this.kick(tenant);
    return record;
  }

  /** Runs what is due for a tenant in the background; failures are logged, never thrown. */
  kick(tenant: string): void {
    setImmediate(() => void this.notifier.runDue(tenant, tenant));
  }

  /** Runs what is due for every tenant (the real-time tick). */
  async tick(): Promise<void> {
    for (const tenant of await this.store.tenants()) {
      if (tenant !== REGISTRY) await this.notifier.runDue(tenant, tenant);
    }
  }

  /** Moves a tenant's clock forward and returns once everything due by the new time has happened. */
  async advance(tenant: string, ms: number): Promise<number> {
    const now = await this.clocks.advance(tenant, ms);
    await this.notifier.runDue(tenant, tenant, true);
    return now;
  }

  /** Stops due work (what is in flight stays due, for another instance or a restart) and lets go of the store. */
  async close(): Promise<void> {
    await this.notifier.close();
    await this.store.close?.();
  }

  // ---- notifications built from state ---------------------------------------------------

  notifyPaymentBody(payment: PaymentRecord): Record<string, unknown> {
    return {
      notifyType: "PAYMENT_RESULT",
      result: { resultCode: payment.resultCode, resultStatus: payment.status === "SUCCESS" ? "S" : "F", resultMessage: payment.resultMessage },
      paymentRequestId: payment.paymentRequestId,
      paymentId: payment.paymentId,
      paymentAmount: payment.amount,
      paymentCreateTime: isoTime(payment.createTime),
      ...(payment.paymentTime !== undefined ? { paymentTime: isoTime(payment.paymentTime) } : {}),
      ...(payment.card ? { paymentResultInfo: paymentResultInfo(payment) } : {}),
    };
  }

  notifyCaptureBody(payment: PaymentRecord, capture: CaptureRecord): Record<string, unknown> {
    return {
      notifyType: "CAPTURE_RESULT",
      result: { resultCode: capture.resultCode, resultStatus: capture.status, resultMessage: capture.resultMessage },
      captureRequestId: capture.captureRequestId,
      paymentId: payment.paymentId,
      captureId: capture.captureId,
      captureAmount: capture.amount,
      ...(capture.status === "S" ? { captureTime: isoTime(capture.time) } : {}),
    };
  }

  /** An unfinished payment reaches its expiry: it fails, and notifyPayment says so. */
  private async expire(tenant: string, payment: PaymentRecord): Promise<void> {
    // Only the change this call made is announced: the payment may have ended meanwhile (a challenge failed on another instance).
    let expired = false;
    const updated = await this.updatePayment(tenant, payment.paymentId, (current) =>
      (expired = current.status === "PROCESSING")
        ? {
            ...current,
            status: "FAIL",
            resultCode: "ORDER_IS_CLOSED",
            resultMessage: "the payment was not completed before it expired",
            pending: undefined,
            history: [...current.history, { time: current.expiryTime, event: "expired unfinished: FAIL / ORDER_IS_CLOSED" }],
          }
        : undefined,
    );
    const url = expired && updated ? await this.notifyUrlOf(tenant, updated) : undefined;
    // Inside the delivery loop already: file it, and the loop sends it.
    if (updated && url) await this.notifier.enqueue(tenant, { kind: "notifyPayment", url, body: this.notifyPaymentBody(updated), paymentId: updated.paymentId, clientId: tenant });
  }
}

/** `paymentResultInfo` of a card payment, as pay, notifyPayment and inquiryPayment return it. */
export function paymentResultInfo(payment: PaymentRecord): Record<string, unknown> | undefined {
  const card = payment.card;
  if (!card) return undefined;
  return {
    cardNo: card.masked,
    cardBrand: card.brand,
    funding: card.funding,
    issuingCountry: card.issuingCountry,
    paymentMethodRegion: "GLOBAL",
    ...(card.cardToken ? { cardToken: card.cardToken } : {}),
    ...(payment.status === "SUCCESS" ? { avsResultRaw: "Y", cvvResultRaw: "M", networkTransactionId: payment.paymentId.slice(-15) } : {}),
    ...(card.threeDS
      ? {
          threeDSResult: {
            threeDSVersion: "2.2.0",
            eci: payment.status === "SUCCESS" ? "05" : "07",
            challenged: card.threeDS.challenged,
            ...(payment.status === "SUCCESS" ? { cavv: "AAABBJgWQAAAAAAAAABYAAAAAAA=", dsTransactionId: `3b2f8e1c-6a4d-4f0e-9c71-${payment.paymentId.slice(-12)}` } : {}),
          },
        }
      : {}),
  };
}
