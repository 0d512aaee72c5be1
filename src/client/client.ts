// The typed Antom client: one method per operation over openapi-fetch, every request signed by
// the middleware, every 200 response verified, and results narrowed by `resultStatus`.
import createClient, { type Client } from "openapi-fetch";
import { AntomConfigError, AntomError } from "../core/errors.js";
import type { KeyInput } from "../core/keys.js";
import { verifyNotification, type AntomNotification, type VerifyNotificationInput } from "../core/notifications.js";
import { operationPaths, type OperationId, type RequestBody } from "../core/operations.js";
import { validate, type ValidationError } from "../core/validate.js";
import { toPrivateKey, toPublicKey } from "../core/keys.js";
import { parseJsonBody } from "../core/json-body.js";
import { quote } from "../core/redact.js";
import { checkResponseSignature, responseVerdict, signatureHeader, signContent } from "../core/signing.js";
import {
  AntomHttpError,
  AntomMalformedResponseError,
  AntomNetworkError,
  AntomRedirectError,
  AntomRequestValidationError,
  AntomResponseSignatureError,
  AntomResponseTooLargeError,
  AntomTimeoutError,
} from "./errors.js";
import { createSigningMiddleware } from "./middleware.js";
import type { AntomResult, ClientPaths, Verification } from "./types.js";

export const PRODUCTION_PREFIX = "/ams/api";
export const SANDBOX_PREFIX = "/ams/sandbox/api";

export interface AntomClientOptions {
  /**
   * Where to send requests: a regional gateway host such as `https://open-sea-global.alipay.com`
   * (the sandbox uses the same hosts), or a local server such as the mock. May carry a path of
   * its own (a proxy); the environment prefix and the operation path are appended to it.
   */
  baseUrl: string;
  /** The client ID from the Antom Dashboard. One starting with `SANDBOX_` selects the sandbox prefix. */
  clientId: string;
  /** The merchant's RSA private key: PEM, or base64 PKCS#8 DER as the Antom Dashboard gives it. */
  privateKey: KeyInput;
  /** Antom's RSA public key: PEM, or base64 X.509 DER. When set, every 200 response must verify. */
  antomPublicKey?: KeyInput;
  /** The key version registered in the Dashboard; `1` unless it says otherwise. */
  keyVersion?: number | string;
  /**
   * The environment prefix placed between `baseUrl` and the contract path (`/v1/payments/pay`).
   * Default: `/ams/sandbox/api` when `clientId` starts with `SANDBOX_`, else `/ams/api`, as the
   * official SDKs do. Use `""` for a server that serves the contract paths at its root, such as
   * the Prism mock (`npm run mock`).
   */
  pathPrefix?: string;
  /** A fetch implementation (default: the global `fetch`). */
  fetch?: (input: Request) => Promise<Response>;
  /** Check each request body against the contract (strict: misspelt fields too) before sending it. */
  validateRequests?: boolean;
  /** The `Request-Time` of each request; epoch milliseconds by default. */
  requestTime?: () => string;
  /**
   * How long a call may take, from sending the request to the last byte of the answer, in
   * milliseconds. Default 30000 (30 s). A call that takes longer fails with `AntomTimeoutError`.
   */
  timeoutMs?: number;
  /** The largest answer read, in bytes. Default 1 MiB; a larger one fails with `AntomResponseTooLargeError`. */
  maxResponseBytes?: number;
}

/** Default of `timeoutMs`: 30 seconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default of `maxResponseBytes`: 1 MiB (Antom's answers are a few kilobytes). */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface CallOptions {
  /** `agent-token` header, for an integrator acting for the merchant. */
  agentToken?: string;
  /** Cancels the call; it then fails with `AntomNetworkError`. */
  signal?: AbortSignal;
  /** This call's timeout in milliseconds, instead of the client's `timeoutMs`. */
  timeoutMs?: number;
}

type Method<Op extends OperationId> = (body: RequestBody<Op>, options?: CallOptions) => Promise<AntomResult<Op>>;

export interface AntomClient {
  /** Lists the payment methods (card brands, funding, installments) available for an amount. */
  consult: Method<"consult">;
  /** Creates a payment; for a card, an authorization (captured at once unless `captureMode` is `MANUAL`). */
  pay: Method<"pay">;
  /** Cancels (voids) a payment in full, by `paymentId` or `paymentRequestId`. */
  cancel: Method<"cancel">;
  /** Captures an authorized card payment (manual capture). */
  capture: Method<"capture">;
  /** Looks up a payment and its transactions, by `paymentId` or `paymentRequestId`. */
  inquiryPayment: Method<"inquiryPayment">;
  /** Verifies a notification with the client's `antomPublicKey` (and client ID); see `verifyNotification`. */
  verifyNotification(input: Omit<VerifyNotificationInput, "antomPublicKey" | "clientId">): AntomNotification;
  /** The underlying openapi-fetch client, signing and verifying like the methods, for anything they do not cover. */
  readonly fetchClient: Client<ClientPaths>;
  /** The URL prefix every operation path is appended to, e.g. `https://open-sea-global.alipay.com/ams/api`. */
  readonly endpoint: string;
}

function endpointOf(options: AntomClientOptions): string {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new AntomConfigError("baseUrl", `must be an absolute URL such as https://open-sea-global.alipay.com; got ${quote(options.baseUrl)}`);
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") throw new AntomConfigError("baseUrl", "must be an http or https URL");
  if (base.search || base.hash) throw new AntomConfigError("baseUrl", "must not carry a query string or fragment");
  const basePath = base.pathname.replace(/\/+$/, "");
  let prefix = options.pathPrefix;
  if (prefix === undefined) {
    // A prefix already in baseUrl would be doubled; say so instead of guessing.
    if (basePath.endsWith(PRODUCTION_PREFIX) || basePath.endsWith(SANDBOX_PREFIX)) {
      throw new AntomConfigError(
        "baseUrl",
        `already ends with the environment prefix (${basePath}); pass the gateway host alone, or set pathPrefix: ""`,
      );
    }
    prefix = options.clientId.startsWith("SANDBOX_") ? SANDBOX_PREFIX : PRODUCTION_PREFIX;
  }
  if (prefix !== "" && !/^\/[^?#]*[^/?#]$/.test(prefix)) {
    throw new AntomConfigError("pathPrefix", `must be "" or a path starting with "/" and not ending with "/"; got ${quote(prefix)}`);
  }
  return `${base.origin}${basePath}${prefix}`;
}

function checkOptions(options: AntomClientOptions): void {
  if (typeof options.clientId !== "string" || options.clientId.trim() === "") throw new AntomConfigError("clientId", "is required");
  if (/\s/.test(options.clientId)) throw new AntomConfigError("clientId", "must not contain whitespace (it is part of the signed content)");
  if (options.privateKey === undefined) throw new AntomConfigError("privateKey", "is required");
  if (options.keyVersion !== undefined && !/^[0-9]+$/.test(String(options.keyVersion))) {
    throw new AntomConfigError("keyVersion", `must be a whole number; got ${quote(options.keyVersion)}`);
  }
  for (const name of ["timeoutMs", "maxResponseBytes"] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && Number.isInteger(value) && value > 0)) {
      throw new AntomConfigError(name, `must be a positive whole number; got ${quote(value)}`);
    }
  }
}

/** Reads a body up to `max` bytes; undefined when it is larger (the rest is not read). */
async function readBounded(response: Response, max: number): Promise<Uint8Array | undefined> {
  const length = response.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return new Uint8Array(0);
  // A declared length within the limit: the HTTP layer stops at it, so the body is read at once.
  if (declared >= 0) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

const decoder = new TextDecoder();

/** Reads a 200 body as an Antom answer, or names the first field and rule that make it not one. */
function parseAnswer(operationId: string, bytes: Uint8Array, max: number): { data: any } | { problem: ValidationError } {
  const read = parseJsonBody(bytes, { maxBytes: max });
  if (!read.ok) return { problem: read.error };
  const data = read.value as any;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return { problem: { path: "(root)", rule: "type", message: "must be a JSON object" } };
  if (data.result === null || typeof data.result !== "object") return { problem: { path: "result", rule: "required", message: "result is required" } };
  if (!["S", "F", "U"].includes(data.result.resultStatus)) {
    return { problem: { path: "result.resultStatus", rule: "enum", message: `must be one of "S", "F", "U"; got ${quote(data.result.resultStatus, "resultStatus")}` } };
  }
  if (typeof data.result.resultCode !== "string") return { problem: { path: "result.resultCode", rule: "type", message: "must be a string" } };
  // The tolerant contract: new fields are welcome, a known field of the wrong type is not.
  const checked = validate(`${operationId}.response`, data, { mode: "tolerant" });
  if (!checked.valid) return { problem: checked.errors[0] };
  return { data };
}

/** Creates a client for Antom's card-payment operations. Throws `AntomConfigError` on a bad option. */
export function createAntomClient(options: AntomClientOptions): AntomClient {
  checkOptions(options);
  const endpoint = endpointOf(options);
  const signing = createSigningMiddleware(options);
  const fetchClient = createClient<ClientPaths>({ baseUrl: endpoint, fetch: options.fetch });
  fetchClient.use(signing);

  const privateKey = toPrivateKey(options.privateKey, "privateKey");
  const publicKey = options.antomPublicKey === undefined ? undefined : toPublicKey(options.antomPublicKey, "antomPublicKey");
  const keyVersion = options.keyVersion ?? 1;
  const requestTime = options.requestTime ?? (() => String(Date.now()));
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const basePath = new URL(endpoint).pathname.replace(/\/+$/, "");

  // The request is serialised, signed and sent once; the answer is read once, within limits.
  async function call<Op extends OperationId>(operationId: Op, body: RequestBody<Op>, callOptions: CallOptions = {}): Promise<AntomResult<Op>> {
    if (options.validateRequests) {
      const checked = validate(`${operationId}.request`, body, { mode: "strict" });
      if (!checked.valid) throw new AntomRequestValidationError(operationId, checked.errors);
    }
    const path = `${basePath}${operationPaths[operationId]}`;
    const url = `${endpoint}${operationPaths[operationId]}`;
    let json: string | undefined;
    try {
      json = JSON.stringify(body);
    } catch (error) {
      throw new AntomRequestValidationError(operationId, [{ path: "(root)", rule: "json", message: `cannot be sent as JSON: ${(error as Error).message}` }]);
    }
    const bytes = Buffer.from(json ?? "", "utf8");
    const time = requestTime();
    const signature = signContent({ method: "POST", path, clientId: options.clientId, time, body: bytes }, privateKey);
    const headers: Record<string, string> = {
      "Content-Type": "application/json; charset=UTF-8",
      "Client-Id": options.clientId,
      "Request-Time": time,
      Signature: signatureHeader(signature, keyVersion),
    };
    if (callOptions.agentToken) headers["agent-token"] = callOptions.agentToken;
    const timeoutMs = callOptions.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // One controller and one timer per call (AbortSignal.timeout and AbortSignal.any cost more).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
    const callerSignal = callOptions.signal;
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    if (callerSignal) {
      if (callerSignal.aborted) onCallerAbort();
      else callerSignal.addEventListener("abort", onCallerAbort, { once: true });
    }
    const init: RequestInit = { method: "POST", headers, body: bytes, signal: controller.signal, redirect: "manual" };

    let response: Response;
    let answer: Uint8Array | undefined;
    try {
      response = await (options.fetch ? options.fetch(new Request(url, init)) : fetch(url, init));
      answer = await readBounded(response, maxResponseBytes);
    } catch (error) {
      if (error instanceof AntomError) throw error;
      if (timedOut) throw new AntomTimeoutError(operationId, url, timeoutMs, error);
      throw new AntomNetworkError(operationId, url, error);
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    }
    if (answer === undefined) throw new AntomResponseTooLargeError(operationId, maxResponseBytes);
    if (response.status !== 200) {
      const text = decoder.decode(answer);
      if (response.status >= 300 && response.status < 400 || response.type === "opaqueredirect") {
        throw new AntomRedirectError(operationId, response.status, response.headers.get("location") ?? undefined, text, response.headers);
      }
      throw new AntomHttpError(operationId, response.status, text, response.headers);
    }
    let verification: Verification = "skipped";
    const check = publicKey ? checkResponseSignature({ headers: response.headers, body: answer }, { path, clientId: options.clientId }, publicKey) : undefined;
    // A forged or incomplete signature is refused before the body is even read as JSON.
    if (check !== undefined && check !== "verified" && check !== "unsigned") throw new AntomResponseSignatureError(operationId, check);
    const parsed = parseAnswer(operationId, answer, maxResponseBytes);
    if (check !== undefined && !("problem" in parsed)) {
      const verdict = responseVerdict(check, "data" in parsed ? parsed.data.result.resultStatus : undefined);
      if (!verdict.accepted) throw new AntomResponseSignatureError(operationId, verdict.reason);
      verification = verdict.verification;
    }
    if ("problem" in parsed) throw new AntomMalformedResponseError(operationId, parsed.problem, decoder.decode(answer));
    const { data } = parsed;
    const { result, ...fields } = data;
    const base = {
      resultStatus: result.resultStatus,
      resultCode: result.resultCode,
      resultMessage: result.resultMessage,
      body: data,
      verification,
      response,
    };
    // A failure carries only its result; the other fields stay reachable through `body`.
    return (result.resultStatus === "F" ? base : { ...fields, ...base }) as AntomResult<Op>;
  }

  return {
    consult: (body, o) => call("consult", body, o),
    pay: (body, o) => call("pay", body, o),
    cancel: (body, o) => call("cancel", body, o),
    capture: (body, o) => call("capture", body, o),
    inquiryPayment: (body, o) => call("inquiryPayment", body, o),
    verifyNotification(input) {
      if (options.antomPublicKey === undefined) {
        throw new AntomConfigError("antomPublicKey", "is required to verify notifications");
      }
      return verifyNotification({ ...input, antomPublicKey: options.antomPublicKey, clientId: options.clientId });
    },
    fetchClient,
    endpoint,
  };
}
