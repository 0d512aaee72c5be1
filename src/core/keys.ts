// RSA keys in the forms merchants actually hold: PEM files, or the single-line base64 DER
// strings the Antom Dashboard shows (PKCS#8 for the merchant's private key, X.509
// SubjectPublicKeyInfo for Antom's public key).
import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";
import { AntomConfigError } from "./errors.js";

/** A key as PEM text, as base64 DER text, as DER bytes, or as a `KeyObject`. */
export type KeyInput = string | Uint8Array | KeyObject;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function derBytes(input: string | Uint8Array, option: string): Buffer {
  if (typeof input !== "string") return Buffer.from(input);
  const compact = input.replace(/\s+/g, "");
  if (!compact) throw new AntomConfigError(option, "is empty");
  if (!BASE64.test(compact)) throw new AntomConfigError(option, "is neither PEM nor base64 DER");
  return Buffer.from(compact, "base64");
}

/** PEM text read from a file as bytes (`readFileSync("key.pem")`) is still PEM. */
function pemText(input: KeyInput): KeyInput {
  if (input instanceof Uint8Array) {
    const text = Buffer.from(input).toString("latin1");
    if (text.includes("-----BEGIN")) return text;
  }
  return input;
}

function requireRsa(key: KeyObject, option: string): KeyObject {
  if (key.asymmetricKeyType !== "rsa") {
    throw new AntomConfigError(option, `must be an RSA key (Antom signs with RSA256); got ${key.asymmetricKeyType ?? key.type}`);
  }
  return key;
}

function firstThatParses<T>(attempts: (() => T)[], option: string, expected: string): T {
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // try the next encoding
    }
  }
  throw new AntomConfigError(option, `cannot be read as ${expected}`);
}

/** The merchant's RSA private key, from PEM or from base64 PKCS#8 DER (the Dashboard's form). */
export function toPrivateKey(given: KeyInput, option = "privateKey"): KeyObject {
  const input = pemText(given);
  if (input instanceof KeyObject) {
    if (input.type !== "private") throw new AntomConfigError(option, `must be a private key; got a ${input.type} key`);
    return requireRsa(input, option);
  }
  if (typeof input === "string" && input.includes("-----BEGIN")) {
    if (!/PRIVATE KEY-----/.test(input)) throw new AntomConfigError(option, "is a PEM block but not a private key");
    return requireRsa(firstThatParses([() => createPrivateKey(input)], option, "a PEM private key"), option);
  }
  const der = derBytes(input, option);
  // PKCS#8 is what the Dashboard gives; PKCS#1 (`RSA PRIVATE KEY` without the armour) is accepted too.
  const key = firstThatParses(
    [() => createPrivateKey({ key: der, format: "der", type: "pkcs8" }), () => createPrivateKey({ key: der, format: "der", type: "pkcs1" })],
    option,
    "a PKCS#8 (or PKCS#1) DER private key",
  );
  return requireRsa(key, option);
}

/** Antom's RSA public key, from PEM or from base64 X.509 SubjectPublicKeyInfo DER (the Dashboard's form). */
export function toPublicKey(given: KeyInput, option = "antomPublicKey"): KeyObject {
  const input = pemText(given);
  if (input instanceof KeyObject) {
    // A private KeyObject would verify too, but passing one here is almost certainly the wrong key.
    if (input.type !== "public") throw new AntomConfigError(option, `must be Antom's public key; got a ${input.type} key`);
    return requireRsa(input, option);
  }
  if (typeof input === "string" && input.includes("-----BEGIN")) {
    if (/PRIVATE KEY-----/.test(input)) throw new AntomConfigError(option, "is a private key; pass Antom's public key");
    return requireRsa(firstThatParses([() => createPublicKey(input)], option, "a PEM public key"), option);
  }
  const der = derBytes(input, option);
  const key = firstThatParses(
    [() => createPublicKey({ key: der, format: "der", type: "spki" }), () => createPublicKey({ key: der, format: "der", type: "pkcs1" })],
    option,
    "an X.509 SubjectPublicKeyInfo (or PKCS#1) DER public key",
  );
  return requireRsa(key, option);
}
