// The sandbox's HTTP server: Antom's five card operations (signature verified, body validated,
// state kept, answer signed) and the control API under /sandbox/. Every Antom answer is HTTP 200
// in Antom's result format, whatever the input; nothing a client sends can stop the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KeyObject } from "node:crypto";
import { failureResult, toAntomResult } from "../core/antom-result.js";
import { parseJsonBody } from "../core/json-body.js";
import { operationPaths, type OperationId } from "../core/operations.js";
import { redactText } from "../core/redact.js";
import { parseSignatureHeader, signatureHeader, signContent, verifyContent } from "../core/signing.js";
import { validate } from "../core/validate.js";
import { isoTime } from "./clock.js";
import { DEFAULT_CONSULT_CONFIG, type ConsultConfig } from "./consult-config.js";
import { handleControl } from "./control.js";
import { Engine } from "./engine.js";
import { cancel } from "./operations/cancel.js";
import { capture } from "./operations/capture.js";
import { consult } from "./operations/consult.js";
import { inquiryPayment } from "./operations/inquiryPayment.js";
import { pay } from "./operations/pay.js";
import { MemoryStore, type Store } from "./store.js";

export interface SandboxOptions {
  /** The sandbox's RSA private key: it signs every answer and notification. */
  antomPrivateKey: KeyObject;
  store?: Store;
  consult?: ConsultConfig;
  allowRemoteNotifications?: boolean;
  /** Answer gateway errors (unknown client, bad signature, invalid input) unsigned, as Antom does. */
  unsignedErrors?: boolean;
  /** Largest request body accepted, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted (default 64). */
  maxDepth?: number;
  deliveryTimeoutMs?: number;
  /** How often due work runs in real time, ms (default 1000). */
  tickMs?: number;
  log?: (line: string) => void;
}

export interface RunningSandbox {
  url: string;
  engine: Engine;
  server: Server;
  close(): Promise<void>;
}

const PREFIXES = ["/ams/api", "/ams/sandbox/api", ""];
const OPERATION_BY_PATH = new Map<string, OperationId>(
  PREFIXES.flatMap((prefix) => Object.entries(operationPaths).map(([op, path]) => [`${prefix}${path}`, op as OperationId] as const)),
);

/** Reads a body up to `max` bytes; past that, the rest is drained and `tooLarge` is set. */
function readBody(req: IncomingMessage, max: number): Promise<{ bytes: Buffer; tooLarge: boolean; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    // A small body comes in one chunk: no copy then.
    req.on("end", () => resolve({ bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), tooLarge: size > max, size }));
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createSandbox(options: SandboxOptions): { engine: Engine; server: Server; handle: (req: IncomingMessage, res: ServerResponse) => void } {
  const log = options.log ?? ((line: string) => console.error(line));
  let baseUrl = "http://127.0.0.1:4012";
  const engine = new Engine({
    store: options.store ?? new MemoryStore(),
    antomPrivateKey: options.antomPrivateKey,
    allowRemoteNotifications: options.allowRemoteNotifications,
    deliveryTimeoutMs: options.deliveryTimeoutMs,
    baseUrl: () => baseUrl,
    log,
  });
  const consultConfig = options.consult ?? DEFAULT_CONSULT_CONFIG;
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;

  /**
   * Sends an Antom answer, signed over `POST <request URI>\n<client id>.<response-time>.<body>`.
   * `gateway` marks an error raised before the request reached a payment (identity, signature,
   * input): those are the answers `--unsigned-errors` sends unsigned.
   */
  function answer(req: IncomingMessage, res: ServerResponse, clientId: string | undefined, body: object, gateway = false): void {
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
    const unsigned = header(req, "sandbox-scenario") === "unsigned" || (options.unsignedErrors === true && gateway);
    if (!unsigned) {
      const time = isoTime(Date.now());
      const signer = clientId ?? "";
      headers["client-id"] = signer;
      headers["response-time"] = time;
      headers.signature = signatureHeader(signContent({ method: "POST", path: req.url ?? "/", clientId: signer, time, body: text }, options.antomPrivateKey));
    }
    res.writeHead(200, headers).end(text);
  }

  const fail = (code: string, message: string) => ({ result: failureResult(code, message) });
  /** A gateway error: the request never reached a payment. */
  const reject = (req: IncomingMessage, res: ServerResponse, clientId: string | undefined, code: string, message: string) => answer(req, res, clientId, fail(code, message), true);

  async function antomCall(req: IncomingMessage, res: ServerResponse, operation: OperationId | undefined, bytes: Buffer, tooLarge: boolean, size: number): Promise<void> {
    const clientId = header(req, "client-id");
    if (req.method !== "POST") return reject(req, res, clientId, "METHOD_NOT_SUPPORTED", `${req.method} is not supported; Antom's operations take POST`);
    if (!operation) return reject(req, res, clientId, "NO_INTERFACE_DEF", `no operation at ${redactText(String(req.url).slice(0, 200))}`);
    if (!clientId) return reject(req, res, clientId, "CLIENT_INVALID", "the Client-Id header is missing");
    const merchant = await engine.merchant(clientId);
    if (!merchant) return reject(req, res, clientId, "CLIENT_INVALID", `client ID ${JSON.stringify(clientId.slice(0, 64))} is not registered with the sandbox (POST /sandbox/merchants)`);
    const signature = parseSignatureHeader(header(req, "signature"));
    const time = header(req, "request-time");
    if (!signature) return reject(req, res, clientId, "INVALID_SIGNATURE", "the Signature header is missing or not algorithm=RSA256,keyVersion=<n>,signature=<value>");
    if (!time) return reject(req, res, clientId, "INVALID_SIGNATURE", "the Request-Time header is missing; it is part of what is signed");
    const key = await engine.merchantKey(merchant, signature.keyVersion);
    if (!key) return reject(req, res, clientId, "KEY_NOT_FOUND", `no key version ${JSON.stringify(signature.keyVersion.slice(0, 16))} is registered for this client ID`);
    if (tooLarge) return reject(req, res, clientId, "PARAM_ILLEGAL", `(root): the body is ${size} bytes; at most ${maxBytes} are accepted (maxBytes)`);
    const content = { method: "POST", path: req.url ?? "/", clientId, time, body: bytes };
    if (!verifyContent(content, signature.signature, key)) {
      return reject(req, res, clientId, "INVALID_SIGNATURE", `the signature does not verify over POST ${redactText(String(req.url).slice(0, 200))} with the key registered for this client ID`);
    }
    const contentType = header(req, "content-type") ?? "";
    if (!/^application\/json\b/i.test(contentType)) {
      return reject(req, res, clientId, "PARAM_ILLEGAL", `Content-Type: must be application/json; got ${JSON.stringify(contentType.slice(0, 60))}`);
    }
    const parsed = parseJsonBody(bytes, { maxBytes, maxDepth: options.maxDepth });
    if (!parsed.ok) return reject(req, res, clientId, "PARAM_ILLEGAL", `${parsed.error.path}: ${parsed.error.message} (${parsed.error.rule})`);
    // Unknown fields are ignored, as Antom ignores them: tolerant mode.
    const invalid = toAntomResult(validate(`${operation}.request`, parsed.value, { mode: "tolerant" }));
    if (invalid) return answer(req, res, clientId, invalid, true);
    const body = parsed.value as any;
    const tenant = clientId;
    switch (operation) {
      case "pay":
        return answer(req, res, clientId, await pay(engine, tenant, body));
      case "capture":
        return answer(req, res, clientId, await capture(engine, tenant, body));
      case "cancel":
        return answer(req, res, clientId, await cancel(engine, tenant, body));
      case "inquiryPayment":
        return answer(req, res, clientId, await inquiryPayment(engine, tenant, body));
      case "consult":
        return answer(req, res, clientId, consult(consultConfig, body));
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { bytes, tooLarge, size } = await readBody(req, maxBytes);
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    if (path.startsWith("/sandbox/") || path === "/sandbox" || path === "/") {
      return handleControl({ engine, req, res, path, bytes, tooLarge, log });
    }
    const operation = OPERATION_BY_PATH.get(path);
    const looksLikeAntom = operation !== undefined || PREFIXES.some((p) => path.startsWith(`${p}/v1/`));
    if (!looksLikeAntom) {
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: `nothing at ${redactText(path.slice(0, 200))}; Antom's operations are under /ams/api/v1/payments/, the control API under /sandbox/` } }));
      return;
    }
    return antomCall(req, res, operation, bytes, tooLarge, size);
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: unknown) => {
      // A defect of ours: say so in Antom's terms, log it without card data, and stay up.
      log(`sandbox: ${req.method} ${redactText(String(req.url).slice(0, 200))} failed: ${redactText(String((error as Error)?.stack ?? error))}`);
      // U, as Antom documents UNKNOWN_EXCEPTION: the outcome is not known; retry or inquire.
      if (!res.headersSent) answer(req, res, header(req, "client-id"), { result: { resultCode: "UNKNOWN_EXCEPTION", resultStatus: "U", resultMessage: "the sandbox failed to handle this request; see its log" } });
      else res.end();
    });
  };

  const server = createServer(handle);
  server.on("clientError", (_error, socket) => socket.destroy());
  server.on("listening", () => {
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    baseUrl = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
  });
  return { engine, server, handle };
}

/** Starts the sandbox on a host and port (port 0: a free one) and its real-time tick. */
export async function startSandbox(options: SandboxOptions & { host?: string; port?: number }): Promise<RunningSandbox> {
  const { engine, server } = createSandbox(options);
  // Compile the request validators now, so the first requests do not pay for it.
  for (const operation of Object.keys(operationPaths)) validate(`${operation}.request`, {}, { mode: "tolerant" });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4012, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    engine
      .tick()
      .catch((error) => (options.log ?? console.error)(`sandbox: tick failed: ${(error as Error).message}`))
      .finally(() => (ticking = false));
  }, options.tickMs ?? 1000);
  timer.unref();
  return {
    url,
    engine,
    server,
    close: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await engine.close();
    },
  };
}
