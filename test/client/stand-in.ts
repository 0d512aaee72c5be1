// A local stand-in for Antom's gateway, for the client tests. It checks each request's
// signature on its own (node:crypto over the bytes received, not the client's code), answers
// with the contract's named examples, and signs its answers with a test "Antom" key. Replies
// can be tampered with, unsigned, or broken on purpose.
import { generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { spec } from "../helpers/spec.js";

/** Test-only RSA key pairs, made fresh for each run: never real keys. */
export function testKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("rsa", { modulusLength: 2048 });
}

export interface Received {
  method: string;
  /** Path and query string as received. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The content the stand-in rebuilt from the request: `POST <path>\n<Client-Id>.<Request-Time>.<body>`. */
  content: Buffer;
  /** The base64 signature from the `Signature` header, URL-decoded. */
  signature: string;
  signatureValid: boolean;
}

export interface Reply {
  status?: number;
  body: string | object;
  /** Sign the reply with the stand-in's Antom key (default true). */
  sign?: boolean;
  /** Sign with this key instead (for example a key that is not Antom's). */
  signWith?: KeyObject;
  /** Sign the body, then send it with this change, as a man in the middle would. */
  tamper?: (body: string) => string;
  /** Send this as the signature header value instead of a real one. */
  signatureHeader?: string;
  /** Close the connection without answering. */
  hangUp?: boolean;
  /** Change the answer's headers after signing (remove, blank or add some). */
  headers?: (headers: Record<string, string>) => Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type Handler = (request: Received) => Reply;

/** The contract's examples of an operation's 200 response, by name, in the contract's order. */
export function responseExamples(operationId: string): [string, any][] {
  for (const item of Object.values<any>(spec.paths)) {
    if (item.post.operationId === operationId) {
      return Object.entries<any>(item.post.responses["200"].content["application/json"].examples).map(([name, e]) => [name, e.value]);
    }
  }
  throw new Error(`no operation ${operationId}`);
}

/** The contract's examples of an operation's request body, by name. */
export function requestExamples(operationId: string): [string, any][] {
  for (const items of [spec.paths, spec.webhooks]) {
    for (const item of Object.values<any>(items)) {
      if (item.post.operationId === operationId) {
        return Object.entries<any>(item.post.requestBody.content["application/json"].examples).map(([name, e]) => [name, e.value]);
      }
    }
  }
  throw new Error(`no operation ${operationId}`);
}

/** By default: the contract's first (success) example for the operation the path names. */
export const successByDefault: Handler = (request) => {
  if (!request.signatureValid) {
    // Antom answers a bad signature unsigned.
    return { body: { result: { resultCode: "INVALID_SIGNATURE", resultStatus: "F", resultMessage: "Invalid signature." } }, sign: false };
  }
  const operationId = request.path.split("?")[0].split("/").pop()!;
  return { body: responseExamples(operationId)[0][1] };
};

export function signatureFromHeader(value: string | undefined): string {
  const match = /(?:^|,)signature=([^,]*)/.exec(value ?? "");
  return match ? decodeURIComponent(match[1]) : "";
}

export interface StandIn {
  baseUrl: string;
  received: Received[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startStandIn(options: { merchantPublicKey: KeyObject; antomPrivateKey: KeyObject; clientId: string }): Promise<StandIn> {
  let handler: Handler = successByDefault;
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? "";
      const head = `${req.method} ${path}\n${req.headers["client-id"]}.${req.headers["request-time"]}.`;
      const content = Buffer.concat([Buffer.from(head, "utf8"), body]);
      const signature = signatureFromHeader(req.headers["signature"] as string | undefined);
      const signatureValid = signature !== "" && verify("sha256", content, options.merchantPublicKey, Buffer.from(signature, "base64"));
      const request: Received = { method: req.method ?? "", path, headers: req.headers, body, content, signature, signatureValid };
      received.push(request);
      const reply = handler(request);
      if (reply.hangUp) {
        req.socket.destroy();
        return;
      }
      const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      // Antom signs its answer over the caller's client ID and echoes it.
      const clientId = String(req.headers["client-id"] ?? options.clientId);
      const headers: Record<string, string> = { "content-type": "application/json; charset=UTF-8", "client-id": clientId };
      if (reply.sign !== false) {
        const time = new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");
        const signed = Buffer.concat([Buffer.from(`POST ${path}\n${clientId}.${time}.`, "utf8"), Buffer.from(text, "utf8")]);
        const value = sign("sha256", signed, reply.signWith ?? options.antomPrivateKey).toString("base64");
        headers["response-time"] = time;
        headers["signature"] = reply.signatureHeader ?? `algorithm=RSA256,keyVersion=1,signature=${encodeURIComponent(value)}`;
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, reply.headers ? reply.headers({ ...headers }) : headers);
        res.end(reply.tamper ? reply.tamper(text) : text);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    handle: (h) => (handler = h),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
