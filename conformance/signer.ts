// Signing headers for the conformance runner: as a merchant (requests, with the merchant's
// private key) or as Antom (notifications, with Antom's private key). Same recipe either way.
import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { toPrivateKey, type KeyInput } from "../src/core/keys.js";
import { checkResponseSignature, responseVerdict, resultStatusOf, signedHeaders } from "../src/core/signing.js";
import type { Signer } from "./flows.js";

export interface KeySignerOptions {
  clientId: string;
  /** PEM, or base64 PKCS#8 DER as the Antom Dashboard hands it out. */
  privateKey: KeyInput;
  keyVersion?: number | string;
  /** Clock for `Request-Time` (epoch milliseconds, as Antom's current documentation sends). */
  now?: () => number;
}

/** A signer producing `Client-Id`, `Request-Time` and `Signature` for each message. */
export function keySigner(options: KeySignerOptions): Signer {
  const key = toPrivateKey(options.privateKey);
  return ({ method, path, body }) => {
    const time = String((options.now ?? Date.now)());
    return { ...signedHeaders({ method, path, clientId: options.clientId, time, body }, key, options.keyVersion ?? 1) };
  };
}

/**
 * Checks the signature of an Antom response by the official SDKs' rule (`responseVerdict`): a
 * reason when it does not verify, is incomplete, or is missing on an answer that is not an F/U
 * gateway error; undefined when it is acceptable.
 */
export function responseSignatureProblem(
  response: { headers: Headers; body: string },
  request: { path: string; clientId: string },
  antomPublicKey: KeyObject,
): string | undefined {
  const check = checkResponseSignature(response, request, antomPublicKey);
  const verdict = responseVerdict(check, check === "unsigned" ? resultStatusOf(response.body) : undefined);
  if (verdict.accepted) return undefined;
  switch (verdict.reason) {
    case "malformed":
      return `response signature header is not in Antom's form: ${response.headers.get("signature")?.slice(0, 80)}`;
    case "mismatch":
      return "response signature does not verify with Antom's public key";
    case "partial":
      return "response carries only one of the signature and response-time headers";
    case "unsigned-success":
      return "response is unsigned but is not an F/U gateway error";
  }
}

/** Reads a key file: PEM, or a single line of base64 DER. */
export function readKeyFile(file: string): string {
  return readFileSync(file, "utf8").trim();
}

