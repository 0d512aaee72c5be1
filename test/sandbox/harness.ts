// Starts a sandbox in-process on a free port with fresh test keys, registers a merchant, and
// gives tests a signing client, raw signed calls, a notification receiver, and the control API.
// Every Antom answer and notification that passes through here is checked against the contract.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { createAntomClient, notificationAck, verifyNotification, type AntomClient, type AntomNotification } from "../../src/index.js";
import { signedHeaders } from "../../src/core/signing.js";
import { validate } from "../../src/core/validate.js";
import { startSandbox, type RunningSandbox, type SandboxOptions } from "../../src/sandbox/server.js";
import type { Store } from "../../src/sandbox/store.js";

let tenantCounter = 0;
const RUN = `${Date.now().toString(36)}-${process.pid}`;
/** A client ID no other test uses, so tests never see each other's state. */
export const uniqueClientId = (label = "T") => `SANDBOX_${label}_${process.pid}_${++tenantCounter}`;

export const testKeys = (modulusLength = 2048): { privateKey: KeyObject; publicKey: KeyObject } => generateKeyPairSync("rsa", { modulusLength });

export interface Harness {
  sandbox: RunningSandbox;
  url: string;
  antomKeys: { privateKey: KeyObject; publicKey: KeyObject };
  close(): Promise<void>;
}

/**
 * The store the sandbox tests run on: memory, or with SANDBOX_TEST_STORE set to a redis:// URL
 * (the "sandbox-on-redis" project of vitest.config.ts) the Redis store, so every behaviour test
 * also holds on the shared store.
 */
async function testStore(): Promise<Store | undefined> {
  const url = process.env.SANDBOX_TEST_STORE;
  if (!url) return undefined;
  const { RedisStore } = await import("../../src/sandbox/redis-store.js");
  // A prefix of this run's own: a Redis that keeps its data never hands a test an older run's state.
  return RedisStore.connect({ url, prefix: `antom-sandbox-test-${RUN}`, ttlMs: 86_400_000 });
}

/** `keyBits` below 2048 makes every signature cheaper, for tests that send thousands of requests. */
export async function startHarness(options: Partial<SandboxOptions> & { keyBits?: number } = {}): Promise<Harness> {
  const antomKeys = testKeys(options.keyBits);
  const logs: string[] = [];
  const store = options.store ?? (await testStore());
  const sandbox = await startSandbox({ antomPrivateKey: antomKeys.privateKey, host: "127.0.0.1", port: 0, tickMs: 60_000, log: (l) => logs.push(l), store, ...options });
  return { sandbox, url: sandbox.url, antomKeys, close: () => sandbox.close() };
}

export interface Merchant {
  clientId: string;
  keys: { privateKey: KeyObject; publicKey: KeyObject };
  client: AntomClient;
  /** POSTs exact bytes to an Antom path, signed by this merchant unless told otherwise. */
  raw(path: string, body: string | Buffer, init?: { headers?: Record<string, string>; sign?: boolean; method?: string }): Promise<{ status: number; headers: Headers; text: string; json: any }>;
  /** Calls an operation through the client; the answer must verify and validate against the contract. */
  call(operation: "consult" | "pay" | "cancel" | "capture" | "inquiryPayment", body: unknown): Promise<any>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

const merchantKeysCache: { privateKey: KeyObject; publicKey: KeyObject }[] = [];

export async function newMerchant(h: Harness, init: { notifyUrl?: string; clientId?: string; keys?: { privateKey: KeyObject; publicKey: KeyObject } } = {}): Promise<Merchant> {
  // Key generation is the slow part of a test: merchants share a small pool of test keys.
  const keys = init.keys ?? merchantKeysCache[tenantCounter % 2] ?? (merchantKeysCache[tenantCounter % 2] = testKeys());
  const clientId = init.clientId ?? uniqueClientId();
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json };
  };
  const registered = await control("POST", "/sandbox/merchants", { clientId, publicKey: keys.publicKey.export({ type: "spki", format: "pem" }).toString(), notifyUrl: init.notifyUrl });
  expect(registered.status).toBe(200);
  const client = createAntomClient({ baseUrl: h.url, clientId, privateKey: keys.privateKey, antomPublicKey: h.antomKeys.publicKey });
  const raw: Merchant["raw"] = async (path, body, rawInit = {}) => {
    const headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
    if (rawInit.sign !== false) Object.assign(headers, signedHeaders({ method: "POST", path, clientId, time: String(Date.now()), body }, keys.privateKey));
    Object.assign(headers, rawInit.headers ?? {});
    const response = await fetch(`${h.url}${path}`, { method: rawInit.method ?? "POST", headers, body: rawInit.method === "GET" ? undefined : body });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  const call: Merchant["call"] = async (operation, body) => {
    const result = await (client[operation] as (b: unknown) => Promise<any>)(body);
    expect(result.verification).toBe("verified");
    const checked = validate(`${operation}.response`, result.body);
    expect(checked.errors).toEqual([]);
    return result.body;
  };
  return { clientId, keys, client, raw, call, control };
}

export interface Receiver {
  url: string;
  /** Verified, contract-valid notifications, in arrival order. */
  received: AntomNotification[];
  /** Every request that arrived, acknowledged or not. */
  hits: number;
  /** Answer the next N requests with HTTP 500 (as a receiver that is down would). */
  failNext(count: number): void;
  close(): Promise<void>;
}

/** A loopback notification endpoint that verifies each notification with the sandbox's key. */
export async function startReceiver(antomPublicKey: KeyObject, path = "/antom/notify"): Promise<Receiver> {
  let failing = 0;
  const state: Receiver = {
    url: "",
    received: [],
    hits: 0,
    failNext: (count) => (failing = count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.hits++;
      if (failing > 0) {
        failing--;
        res.writeHead(500).end("down");
        return;
      }
      try {
        state.received.push(verifyNotification({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks), antomPublicKey }));
        res.writeHead(200, { "Content-Type": "application/json" }).end(notificationAck());
      } catch (error) {
        res.writeHead(400).end(String((error as Error).message));
      }
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return state;
}

/** Waits until `check` holds (background deliveries), or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

let requestCounter = 0;
/** A card pay request that validates against the contract; override any field. */
export function payBody(overrides: { cardNo?: string; amount?: string; currency?: string; paymentRequestId?: string; meta?: Record<string, unknown>; factor?: Record<string, unknown>; notifyUrl?: string; extra?: Record<string, unknown> } = {}): any {
  const currency = overrides.currency ?? "USD";
  const amount = { currency, value: overrides.amount ?? "1000" };
  const meta = { cardNo: overrides.cardNo ?? "4054695723100768", cvv: "123", expiryMonth: "12", expiryYear: "30", cardholderName: { firstName: "Jane", lastName: "Doe" }, ...(overrides.meta ?? {}) };
  for (const [k, v] of Object.entries(meta)) if (v === undefined) delete (meta as Record<string, unknown>)[k];
  return {
    productCode: "CASHIER_PAYMENT",
    paymentRequestId: overrides.paymentRequestId ?? `PAY_${process.pid}_${++requestCounter}`,
    order: { referenceOrderId: `ORDER_${requestCounter}`, orderDescription: "Espresso machine", orderAmount: amount },
    paymentAmount: amount,
    paymentMethod: { paymentMethodType: "CARD", paymentMethodMetaData: meta },
    paymentFactor: { isAuthorization: true, ...(overrides.factor ?? {}) },
    settlementStrategy: { settlementCurrency: currency },
    env: { terminalType: "WEB", clientIp: "203.0.113.10" },
    paymentRedirectUrl: "https://www.example.com/checkout/result",
    ...(overrides.notifyUrl ? { paymentNotifyUrl: overrides.notifyUrl } : {}),
    ...(overrides.extra ?? {}),
  };
}
