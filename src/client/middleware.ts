// openapi-fetch middleware that signs every request and verifies every 200 response, so any
// openapi-fetch client over the contract's paths talks to Antom correctly.
import type { KeyObject } from "node:crypto";
import type { Middleware } from "openapi-fetch";
import { AntomResponseSignatureError } from "./errors.js";
import { toPrivateKey, toPublicKey, type KeyInput } from "../core/keys.js";
import { checkResponseSignature, requestUri, responseVerdict, resultStatusOf, signedHeaders } from "../core/signing.js";
import type { Verification } from "./types.js";

export interface SigningOptions {
  clientId: string;
  /** The merchant's RSA private key: PEM, or base64 PKCS#8 DER as the Antom Dashboard gives it. */
  privateKey: KeyInput;
  /** Antom's RSA public key (PEM, or base64 X.509 DER). When set, 200 responses are verified. */
  antomPublicKey?: KeyInput;
  /** The key version registered in the Dashboard; `1` unless it says otherwise. */
  keyVersion?: number | string;
  /** The `Request-Time` of a request; epoch milliseconds by default, as Antom's current documentation uses. */
  requestTime?: () => string;
}

export type SigningMiddleware = Middleware & {
  /** How the signature of a response that went through this middleware was checked. */
  verificationOf(response: Response): Verification | undefined;
};

function operationOf(url: string): string {
  return new URL(url).pathname.split("/").pop() || url;
}

export function createSigningMiddleware(options: SigningOptions): SigningMiddleware {
  const privateKey: KeyObject = toPrivateKey(options.privateKey, "privateKey");
  const publicKey: KeyObject | undefined = options.antomPublicKey === undefined ? undefined : toPublicKey(options.antomPublicKey, "antomPublicKey");
  const keyVersion = options.keyVersion ?? 1;
  const requestTime = options.requestTime ?? (() => String(Date.now()));
  const verifications = new WeakMap<Response, Verification>();

  return {
    verificationOf: (response) => verifications.get(response),

    async onRequest({ request }) {
      // Sign the exact bytes that will be sent: the serialised body is read back and sent as read.
      const body = new Uint8Array(await request.arrayBuffer());
      const signed = signedHeaders(
        { method: request.method, path: requestUri(request.url), clientId: options.clientId, time: requestTime(), body },
        privateKey,
        keyVersion,
      );
      const headers = new Headers(request.headers);
      headers.set("Content-Type", "application/json; charset=UTF-8");
      for (const [name, value] of Object.entries(signed)) headers.set(name, value);
      return new Request(request.url, {
        method: request.method,
        headers,
        body: body.byteLength > 0 ? body : undefined,
        signal: request.signal,
        redirect: request.redirect,
      });
    },

    async onResponse({ request, response }) {
      if (!publicKey) {
        verifications.set(response, "skipped");
        return undefined;
      }
      // Only answers are verified; other statuses become errors without a body to trust.
      if (response.status !== 200) return undefined;
      const body = new Uint8Array(await response.clone().arrayBuffer());
      const check = checkResponseSignature({ headers: response.headers, body }, { method: request.method, path: request.url, clientId: options.clientId }, publicKey);
      // The official SDKs' rule: only an unsigned F/U gateway error passes unsigned.
      const verdict = responseVerdict(check, check === "unsigned" ? resultStatusOf(body) : undefined);
      if (!verdict.accepted) throw new AntomResponseSignatureError(operationOf(request.url), verdict.reason);
      verifications.set(response, verdict.verification);
      return undefined;
    },
  };
}
