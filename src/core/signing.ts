// Antom's message signature: RSA PKCS#1 v1.5 over SHA-256 (SHA256withRSA) of
//   `<METHOD> <request URI>\n<Client-Id>.<time>.<body>`
// sent as `Signature: algorithm=RSA256,keyVersion=<n>,signature=<URL-encoded base64>`.
// The same recipe covers requests (merchant's key), responses and notifications (Antom's key).
import { KeyObject, sign as rsaSign, verify as rsaVerify } from "node:crypto";
import { toPrivateKey, toPublicKey, type KeyInput } from "./keys.js";

/** What a signature covers. */
export interface SignedContent {
  /** HTTP method; always `POST` for Antom. */
  method?: string;
  /** Request URI without the host: path plus query string, e.g. `/ams/api/v1/payments/pay`. */
  path: string;
  clientId: string;
  /** `Request-Time` of a request or notification, `response-time` of a response, byte for byte. */
  time: string;
  /** The exact body bytes sent (a string is taken as UTF-8). */
  body: string | Uint8Array;
}

/**
 * The request URI as signed: the path and query string, without scheme and host. A path is
 * returned as it is; a full URL is reduced to its path and query string.
 */
export function requestUri(urlOrPath: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(urlOrPath)) return urlOrPath;
  const { pathname, search } = new URL(urlOrPath);
  return pathname + search;
}

/** The exact bytes that are signed. Built as bytes so a body is never re-encoded. */
export function contentToSign(content: SignedContent): Buffer {
  const head = `${content.method ?? "POST"} ${content.path}\n${content.clientId}.${content.time}.`;
  // A string body is encoded with the head in one go; bytes are copied once, after the head.
  if (typeof content.body === "string") return Buffer.from(head + content.body, "utf8");
  const headBytes = Buffer.byteLength(head, "utf8");
  const out = Buffer.allocUnsafe(headBytes + content.body.byteLength);
  out.write(head, 0, "utf8");
  out.set(content.body, headBytes);
  return out;
}

/** The base64 SHA256withRSA signature of the content (not yet URL-encoded). */
export function signContent(content: SignedContent, privateKey: KeyInput): string {
  // A private RSA KeyObject (what the client holds) is used as it is; anything else is read first.
  const key: KeyObject = privateKey instanceof KeyObject && privateKey.type === "private" && privateKey.asymmetricKeyType === "rsa" ? privateKey : toPrivateKey(privateKey);
  return rsaSign("sha256", contentToSign(content), key).toString("base64");
}

/** Whether a base64 signature is valid for the content under the given public key. */
export function verifyContent(content: SignedContent, signatureBase64: string, publicKey: KeyInput): boolean {
  const key = publicKey instanceof KeyObject && publicKey.type === "public" && publicKey.asymmetricKeyType === "rsa" ? publicKey : toPublicKey(publicKey);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  return rsaVerify("sha256", contentToSign(content), key, Buffer.from(signatureBase64, "base64"));
}

/** The `Signature` header value: `algorithm=RSA256,keyVersion=<n>,signature=<URL-encoded base64>`. */
export function signatureHeader(signatureBase64: string, keyVersion: number | string = 1): string {
  // encodeURIComponent encodes `+`, `/` and `=` exactly as Java's URLEncoder does for base64.
  return `algorithm=RSA256,keyVersion=${keyVersion},signature=${encodeURIComponent(signatureBase64)}`;
}

/** The three headers that carry a signed request or notification. */
export interface SignatureHeaders {
  "Client-Id": string;
  "Request-Time": string;
  Signature: string;
}

/**
 * Signs a request or notification and returns its `Client-Id`, `Request-Time` and `Signature`
 * headers. The client's middleware, the sandbox (as Antom) and the conformance runner all sign
 * through here.
 */
export function signedHeaders(content: SignedContent, privateKey: KeyInput, keyVersion: number | string = 1): SignatureHeaders {
  return { "Client-Id": content.clientId, "Request-Time": content.time, Signature: signatureHeader(signContent(content, privateKey), keyVersion) };
}

export interface ParsedSignatureHeader {
  algorithm: string;
  keyVersion: string;
  /** The signature, URL-decoded: plain base64. */
  signature: string;
}

/** Reads a `Signature` header; `undefined` when it is not in Antom's form. */
export function parseSignatureHeader(value: string | null | undefined): ParsedSignatureHeader | undefined {
  if (!value) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const algorithm = fields.get("algorithm");
  const encoded = fields.get("signature");
  if (algorithm !== "RSA256" || !encoded) return undefined;
  let signature: string;
  try {
    signature = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  return { algorithm, keyVersion: fields.get("keyVersion") ?? "1", signature };
}

/**
 * How a response's signature headers checked out:
 * - `verified`: `signature` and `response-time` present, and the signature verifies;
 * - `unsigned`: neither header present (or both empty): Antom sends some gateway errors unsigned;
 * - `partial`: only one of the two headers present (or non-empty): never a genuine answer;
 * - `malformed`: the `signature` header is not in Antom's form;
 * - `mismatch`: the signature does not verify.
 */
export type ResponseSignatureCheck = "verified" | "unsigned" | "partial" | "malformed" | "mismatch";

/**
 * Checks the signature of an Antom response over `POST <request URI>\n<clientId>.<response-time>.<raw body>`.
 * As the official SDKs do, `clientId` is the caller's own, not the one echoed in the response.
 */
export function checkResponseSignature(
  response: { headers: Headers; body: string | Uint8Array },
  request: { method?: string; path: string; clientId: string },
  antomPublicKey: KeyInput,
): ResponseSignatureCheck {
  const header = response.headers.get("signature")?.trim();
  const time = response.headers.get("response-time")?.trim();
  if (!header && !time) return "unsigned";
  if (!header || !time) return "partial";
  const parsed = parseSignatureHeader(header);
  if (!parsed) return "malformed";
  const content = { method: request.method, path: requestUri(request.path), clientId: request.clientId, time, body: response.body };
  return verifyContent(content, parsed.signature, antomPublicKey) ? "verified" : "mismatch";
}

/** Why an answer is refused: its signature headers, or an unsigned answer that claims success. */
export type ResponseRejection = Exclude<ResponseSignatureCheck, "verified" | "unsigned"> | "unsigned-success";

/**
 * The rule Antom's official SDKs adopted in September 2026 (global-open-sdk-java #222, -python
 * #179, -php #173) for an answer checked with Antom's public key: a signed answer must verify;
 * an answer carrying only one of `signature` and `response-time` is refused; an unsigned answer
 * is accepted (as `unsigned`) only when its `result.resultStatus` is `F` or `U`, a gateway error.
 */
export function responseVerdict(check: ResponseSignatureCheck, resultStatus: unknown): { accepted: true; verification: "verified" | "unsigned" } | { accepted: false; reason: ResponseRejection } {
  if (check === "verified") return { accepted: true, verification: "verified" };
  if (check !== "unsigned") return { accepted: false, reason: check };
  return resultStatus === "F" || resultStatus === "U" ? { accepted: true, verification: "unsigned" } : { accepted: false, reason: "unsigned-success" };
}

/** The `result.resultStatus` of a raw answer body, when it is JSON that has one (for `responseVerdict`). */
export function resultStatusOf(body: string | Uint8Array): unknown {
  try {
    const text = typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
    return (JSON.parse(text) as { result?: { resultStatus?: unknown } } | null)?.result?.resultStatus;
  } catch {
    return undefined;
  }
}
