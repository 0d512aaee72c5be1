// The sandbox's control API under /sandbox/, described by openapi/sandbox.yaml and checked
// against it with the project's one validator. Errors are HTTP 400/404 naming the field path and
// the rule; nothing here exists on Antom.
import { successResult } from "../core/antom-result.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { controlContract } from "../core/contract.js";
import { AntomConfigError } from "../core/errors.js";
import { parseJsonBody } from "../core/json-body.js";
import { redact, redactText } from "../core/redact.js";
import { validateAgainst, type ValidationError } from "../core/validate.js";
import { BuyerActionError, completeChallenge, enterCard } from "./buyer.js";
import { isoTime, parseDuration } from "./clock.js";
import { raiseDispute, judgeDispute } from "./disputes.js";
import type { Engine } from "./engine.js";
import type { DeliveryRecord, NotificationKind, PaymentRecord } from "./model.js";
import { challengePage, hostedPage, resultPage } from "./pages.js";

export interface ControlRequest {
  engine: Engine;
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  bytes: Buffer;
  tooLarge: boolean;
  log: (line: string) => void;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly error: ValidationError | { path?: string; rule?: string; message: string },
    readonly errors: unknown[] = [],
  ) {
    super(error.message);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8" }).end(JSON.stringify(body));
}

/** Refuses a client ID the sandbox does not know, so the control API never makes tenants by accident. */
async function registered(engine: Engine, clientId: string): Promise<string> {
  if (!(await engine.merchant(clientId))) {
    throw new ControlError(404, { path: "clientId", rule: "registered", message: `client ID ${JSON.stringify(clientId.slice(0, 64))} is not registered (POST /sandbox/merchants)` });
  }
  return clientId;
}

/** The request body checked against a schema of the control document. */
function body<T>(request: ControlRequest, schema: string): T {
  if (request.tooLarge) throw new ControlError(400, { path: "(root)", rule: "maxBytes", message: "the body is too large" });
  const contentType = request.req.headers["content-type"] ?? "";
  const parsed =
    /application\/x-www-form-urlencoded/i.test(contentType)
      ? { ok: true as const, value: Object.fromEntries(new URLSearchParams(request.bytes.toString("utf8"))) }
      : parseJsonBody(request.bytes);
  if (!parsed.ok) throw new ControlError(400, parsed.error);
  const checked = validateAgainst(controlContract(), schema, parsed.value);
  if (!checked.valid) throw new ControlError(400, checked.errors[0], checked.errors);
  return parsed.value as T;
}

/** A body whose `clientId` must be a registered merchant. */
async function tenantBody<T extends { clientId: string }>(request: ControlRequest, schema: string): Promise<T> {
  const value = body<T>(request, schema);
  await registered(request.engine, value.clientId);
  return value;
}

async function clientIdParam(request: ControlRequest): Promise<string> {
  const clientId = new URL(request.req.url ?? "/", "http://sandbox").searchParams.get("clientId");
  if (!clientId) throw new ControlError(400, { path: "clientId", rule: "required", message: "the clientId query parameter is required" });
  return registered(request.engine, clientId);
}

/** The longest single move of a clock: 100 years. */
const MAX_ADVANCE_MS = 36_525 * 24 * 3_600_000;

/** A payment as the control API shows it: the card masked, times in ISO 8601. */
export function paymentState(engine: Engine, tenant: string, payment: PaymentRecord): Record<string, unknown> {
  const time = (ms: number | undefined) => (ms === undefined ? undefined : isoTime(ms));
  return redact({
    paymentId: payment.paymentId,
    paymentRequestId: payment.paymentRequestId,
    status: payment.status,
    resultCode: payment.resultCode,
    resultMessage: payment.resultMessage,
    paymentAmount: payment.amount,
    captureMode: payment.captureMode,
    pending: payment.pending,
    normalUrl: payment.pending ? `${engine.baseUrl()}/sandbox/pages/${payment.pending}/${payment.paymentId}?clientId=${encodeURIComponent(tenant)}` : undefined,
    createTime: time(payment.createTime),
    paymentTime: time(payment.paymentTime),
    expiryTime: time(payment.expiryTime),
    authExpiryTime: time(payment.authExpiryTime),
    cancelTime: time(payment.cancelTime),
    card: payment.card,
    captures: payment.captures.map((c) => ({ ...c, time: isoTime(c.time) })),
    history: payment.history.map((h) => ({ time: isoTime(h.time), event: h.event })),
  }) as Record<string, unknown>;
}

/** A delivery as the control API shows it: the body parsed, card data masked. */
export function deliveryView(delivery: DeliveryRecord): Record<string, unknown> {
  let shown: unknown = delivery.body;
  try {
    shown = JSON.parse(delivery.body);
  } catch {
    // a custom body that is not JSON is shown as text
  }
  return redact({
    id: delivery.id,
    kind: delivery.kind,
    url: delivery.url,
    paymentId: delivery.paymentId,
    state: delivery.state,
    ...(delivery.state === "pending" ? { nextAttemptTime: isoTime(delivery.nextAt) } : {}),
    body: shown,
    attempts: delivery.attempts.map((a) => ({ ...a, time: isoTime(a.time) })),
  }) as Record<string, unknown>;
}

async function requirePayment(engine: Engine, tenant: string, paymentId: string): Promise<PaymentRecord> {
  const payment = await engine.payment(tenant, paymentId);
  if (!payment) throw new ControlError(404, { path: "paymentId", rule: "exists", message: `no payment ${paymentId} for client ID ${tenant}` });
  return payment;
}

/** Sets `overrides` into `base` field by field; `null` removes a field. */
function merge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete out[key];
    else if (typeof value === "object" && !Array.isArray(value) && typeof out[key] === "object" && out[key] !== null && !Array.isArray(out[key])) {
      out[key] = merge(out[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else out[key] = value;
  }
  return out;
}

/** The built-in notification receivers, by name: how often each was called, and what it acknowledged. */
const receivers = new Map<string, { hits: number; received: string[] }>();
const MAX_RECEIVERS = 1000;
const MAX_RECEIVED = 100;

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function route(request: ControlRequest): Promise<void> {
  const { engine, req, res, path } = request;
  const method = req.method ?? "GET";
  let segments: string[];
  try {
    segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new ControlError(400, { path: "(path)", rule: "uri", message: "the path is not valid percent-encoding" });
  }

  if (path === "/" || path === "/sandbox" || path === "/sandbox/") {
    return json(res, 200, {
      sandbox: "Antom card sandbox",
      operations: ["/ams/api/v1/payments/<op>", "/ams/sandbox/api/v1/payments/<op>", "/v1/payments/<op>"],
      controlApi: "openapi/sandbox.yaml",
      antomPublicKey: "/sandbox/antom-public-key.pem",
    });
  }
  if (method === "GET" && path === "/sandbox/antom-public-key.pem") {
    res.writeHead(200, { "Content-Type": "application/x-pem-file" }).end(engine.antomPublicKeyPem());
    return;
  }
  if (method === "POST" && path === "/sandbox/merchants") {
    const input = body<{ clientId: string; publicKey: string; notifyUrl?: string; keyVersion?: string }>(request, "MerchantRegistration");
    try {
      const merchant = await engine.registerMerchant(input);
      return json(res, 200, { clientId: merchant.clientId, keyVersions: Object.keys(merchant.publicKeys), ...(merchant.notifyUrl ? { notifyUrl: merchant.notifyUrl } : {}) });
    } catch (error) {
      if (error instanceof AntomConfigError) throw new ControlError(400, { path: "publicKey", rule: "key", message: error.message });
      throw error;
    }
  }
  if (method === "POST" && path === "/sandbox/reset") {
    const { clientId } = await tenantBody<{ clientId: string }>(request, "TenantReference");
    await engine.reset(clientId);
    return json(res, 200, { ok: true });
  }
  if (path === "/sandbox/clock") {
    if (method === "GET") {
      const clientId = await clientIdParam(request);
      const now = await engine.clocks.now(clientId);
      return json(res, 200, { clientId, now: isoTime(now), nowMs: now });
    }
    if (method === "POST") {
      const { clientId, advance } = await tenantBody<{ clientId: string; advance: string }>(request, "ClockAdvance");
      const ms = parseDuration(advance)!;
      if (ms > MAX_ADVANCE_MS) throw new ControlError(400, { path: "advance", rule: "maximum", message: "a clock moves at most 100 years (P36525D) per call" });
      const now = await engine.advance(clientId, ms);
      return json(res, 200, { clientId, now: isoTime(now), nowMs: now });
    }
  }
  if (segments[0] === "sandbox" && segments[1] === "payments" && segments[2]) {
    const paymentId = segments[2];
    if (method === "GET" && segments.length === 3) {
      const tenant = await clientIdParam(request);
      return json(res, 200, paymentState(engine, tenant, await requirePayment(engine, tenant, paymentId)));
    }
    if (method === "POST" && segments[3] === "challenge" && segments.length === 4) {
      const { clientId, outcome } = await tenantBody<{ clientId: string; outcome: "pass" | "fail" }>(request, "ChallengeOutcome");
      return json(res, 200, paymentState(engine, clientId, await completeChallenge(engine, clientId, paymentId, outcome)));
    }
    if (method === "POST" && segments[3] === "card" && segments.length === 4) {
      const { clientId, ...card } = await tenantBody<{ clientId: string; cardNo: string; expiryMonth?: string; expiryYear?: string; cvv?: string }>(request, "HostedCard");
      return json(res, 200, paymentState(engine, clientId, await enterCard(engine, clientId, paymentId, card)));
    }
  }
  if (path === "/sandbox/notifications") {
    if (method === "GET") {
      const clientId = await clientIdParam(request);
      return json(res, 200, { clientId, notifications: (await engine.notifier.deliveries(clientId)).map(deliveryView) });
    }
    if (method === "POST") {
      const input = await tenantBody<{ clientId: string; paymentId: string; kind: NotificationKind; overrides?: Record<string, unknown>; url?: string }>(request, "NotificationRequest");
      const payment = await requirePayment(engine, input.clientId, input.paymentId);
      const base =
        input.kind === "notifyPayment"
          ? engine.notifyPaymentBody(payment)
          : input.kind === "notifyCapture"
            ? engine.notifyCaptureBody(payment, payment.captures.at(-1) ?? { captureRequestId: `CAPTURE_${payment.paymentId}`, captureId: payment.paymentId, amount: payment.amount, time: payment.createTime, status: "S", resultCode: "SUCCESS", resultMessage: "success", automatic: false })
            : { paymentRequestId: payment.paymentRequestId, paymentId: payment.paymentId, disputeId: `${payment.paymentId}D`, disputeNotificationType: "DISPUTE_CREATED", disputeAmount: payment.amount, disputeTime: isoTime(await engine.clocks.now(input.clientId)) };
      const url = input.url ?? (await engine.notifyUrlOf(input.clientId, payment));
      if (!url) throw new ControlError(400, { path: "url", rule: "required", message: "the payment has no paymentNotifyUrl and the merchant no notifyUrl; give url" });
      const delivery = await engine.notify(input.clientId, input.kind, merge(base, input.overrides ?? {}), payment.paymentId, url);
      await engine.notifier.runDue(input.clientId, input.clientId, true);
      const after = (await engine.notifier.deliveries(input.clientId)).find((d) => d.id === delivery!.id)!;
      return json(res, 200, deliveryView(after));
    }
  }
  if (method === "POST" && path === "/sandbox/disputes") {
    const input = await tenantBody<{ clientId: string; paymentId: string; disputeAmount?: { currency: string; value: string }; disputeReasonCode?: string; disputeReasonMsg?: string; disputeSource?: string }>(request, "DisputeRequest");
    await requirePayment(engine, input.clientId, input.paymentId);
    const dispute = await raiseDispute(engine, input.clientId, input);
    return json(res, 200, { ...dispute, notification: dispute.notification && deliveryView(dispute.notification) });
  }
  if (method === "POST" && segments[0] === "sandbox" && segments[1] === "disputes" && segments[3] === "judge" && segments.length === 4) {
    const input = await tenantBody<{ clientId: string; disputeJudgedResult?: string }>(request, "DisputeJudgement");
    const dispute = await judgeDispute(engine, input.clientId, segments[2], input.disputeJudgedResult ?? "ACCEPT_BY_MERCHANT");
    if (!dispute) throw new ControlError(404, { path: "disputeId", rule: "exists", message: `no dispute ${segments[2]} for client ID ${input.clientId}` });
    return json(res, 200, { ...dispute, notification: dispute.notification && deliveryView(dispute.notification) });
  }
  if (segments[0] === "sandbox" && segments[1] === "pages" && (segments[2] === "challenge" || segments[2] === "hosted") && segments[3] && segments.length === 4) {
    const tenant = await clientIdParam(request);
    const payment = await requirePayment(engine, tenant, segments[3]);
    const action = `${path}?clientId=${encodeURIComponent(tenant)}`;
    if (method === "GET") {
      const html = payment.pending === segments[2] ? (segments[2] === "challenge" ? challengePage(payment, action) : hostedPage(payment, action)) : resultPage(payment);
      res.writeHead(200, { "Content-Type": "text/html; charset=UTF-8" }).end(html);
      return;
    }
    if (method === "POST") {
      const form = Object.fromEntries(new URLSearchParams(request.bytes.toString("utf8")));
      const after =
        segments[2] === "challenge"
          ? await completeChallenge(engine, tenant, payment.paymentId, form.outcome === "pass" ? "pass" : "fail")
          : await enterCard(engine, tenant, payment.paymentId, { cardNo: (form.cardNo ?? "").replace(/\s+/g, ""), expiryMonth: form.expiryMonth, expiryYear: form.expiryYear, cvv: form.cvv });
      // A challenge after the card: show it; done: back to the merchant, as Antom's pages do.
      const next = after.pending === "challenge" ? `/sandbox/pages/challenge/${after.paymentId}?clientId=${encodeURIComponent(tenant)}` : after.redirectUrl;
      if (next) {
        res.writeHead(303, { Location: next }).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "text/html; charset=UTF-8" }).end(resultPage(after));
      return;
    }
  }
  if (segments[0] === "sandbox" && segments[1] === "receiver" && segments[2] && segments.length === 3) {
    const receiver = receivers.get(segments[2]) ?? { hits: 0, received: [] };
    if (!receivers.has(segments[2])) {
      // A long-running sandbox keeps the newest receivers only.
      if (receivers.size >= MAX_RECEIVERS) receivers.delete(receivers.keys().next().value!);
      receivers.set(segments[2], receiver);
    }
    if (method === "GET") return json(res, 200, { name: segments[2], hits: receiver.hits, received: receiver.received.map((text) => redact(safeParse(text))) });
    if (method === "POST") {
      receiver.hits++;
      const fail = Number(new URL(req.url ?? "/", "http://sandbox").searchParams.get("fail") ?? 0);
      if (receiver.hits <= fail) return json(res, 500, { result: { resultCode: "UNKNOWN_EXCEPTION", resultStatus: "U", resultMessage: `failing attempt ${receiver.hits} of ${fail} on purpose` } });
      if (receiver.received.length < MAX_RECEIVED) receiver.received.push(request.bytes.toString("utf8").slice(0, 64 * 1024));
      return json(res, 200, { result: successResult() });
    }
  }
  throw new ControlError(404, { message: `no ${method} ${path} in the control API (openapi/sandbox.yaml)` });
}

export async function handleControl(request: ControlRequest): Promise<void> {
  try {
    await route(request);
  } catch (error) {
    if (error instanceof ControlError) return json(request.res, error.status, redact({ error: error.error, ...(error.errors.length > 1 ? { errors: error.errors } : {}) }));
    if (error instanceof BuyerActionError) return json(request.res, error.status, { error: { path: error.path, rule: "state", message: error.message } });
    // A defect of ours: logged without card data, answered in the control API's own format.
    request.log(`sandbox: ${request.req.method} ${redactText(request.path.slice(0, 200))} failed: ${redactText(String((error as Error)?.stack ?? error))}`);
    if (!request.res.headersSent) json(request.res, 500, { error: { message: "the sandbox failed to handle this request; see its log" } });
  }
}
