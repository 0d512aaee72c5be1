// Known-answer tests of Antom's signature: the client's signature must equal the one the
// openssl CLI computes over the same content, and verification must reject any change.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  AntomConfigError,
  contentToSign,
  parseSignatureHeader,
  signatureHeader,
  signContent,
  toPrivateKey,
  toPublicKey,
  verifyContent,
} from "../../src/index.js";
import { testKeyPair } from "./stand-in.js";

const merchant = testKeyPair();
const other = testKeyPair();
const privatePem = merchant.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const publicPem = merchant.publicKey.export({ type: "spki", format: "pem" }) as string;
const dir = mkdtempSync(join(tmpdir(), "antom-signing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Fixed inputs; the body has non-ASCII text so the UTF-8 bytes matter.
const fixed = {
  path: "/ams/api/v1/payments/pay",
  clientId: "SANDBOX_5YBZ1K2ZXXXX00000",
  time: "1685599933871",
  body: '{"paymentRequestId":"PAY_1","order":{"orderDescription":"Café crème 東京"},"paymentAmount":{"currency":"USD","value":"1000"}}',
};

/** The content written out by hand, independently of contentToSign. */
const handContent = Buffer.from(`POST ${fixed.path}\n${fixed.clientId}.${fixed.time}.${fixed.body}`, "utf8");

function opensslSign(content: Buffer, keyPem: string): string {
  const keyFile = join(dir, "merchant-test-key.pem");
  const contentFile = join(dir, "content.bin");
  writeFileSync(keyFile, keyPem);
  writeFileSync(contentFile, content);
  return execFileSync("openssl", ["dgst", "-sha256", "-sign", keyFile, contentFile]).toString("base64");
}

function opensslVerifies(content: Buffer, signatureBase64: string, publicKeyPem: string): boolean {
  const keyFile = join(dir, "public.pem");
  const contentFile = join(dir, "verify-content.bin");
  const signatureFile = join(dir, "signature.bin");
  writeFileSync(keyFile, publicKeyPem);
  writeFileSync(contentFile, content);
  writeFileSync(signatureFile, Buffer.from(signatureBase64, "base64"));
  try {
    return execFileSync("openssl", ["dgst", "-sha256", "-verify", keyFile, "-signature", signatureFile, contentFile]).toString().includes("Verified OK");
  } catch {
    return false;
  }
}

describe("known answers", () => {
  test("the content to sign is `POST <path>\\n<clientId>.<time>.<body>` byte for byte", () => {
    expect(contentToSign(fixed).equals(handContent)).toBe(true);
    expect(contentToSign({ ...fixed, body: Buffer.from(fixed.body, "utf8") }).equals(handContent)).toBe(true);
  });

  test("the signature equals openssl dgst -sha256 -sign over the same content", () => {
    const expected = opensslSign(handContent, privatePem);
    expect(signContent(fixed, merchant.privateKey)).toBe(expected);
    // The same key in every accepted form gives the same signature.
    const der = (merchant.privateKey.export({ type: "pkcs8", format: "der" }) as Buffer).toString("base64");
    const pkcs1 = merchant.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    expect(signContent(fixed, privatePem)).toBe(expected);
    expect(signContent(fixed, der)).toBe(expected);
    expect(signContent(fixed, pkcs1)).toBe(expected);
  });

  test("openssl verifies the client's signature with the public key", () => {
    expect(opensslVerifies(handContent, signContent(fixed, merchant.privateKey), publicPem)).toBe(true);
  });

  test("the header is algorithm=RSA256,keyVersion=N,signature=<URL-encoded base64>", () => {
    const b64 = opensslSign(handContent, privatePem);
    const urlEncoded = b64.replace(/\+/g, "%2B").replace(/\//g, "%2F").replace(/=/g, "%3D");
    expect(signatureHeader(b64)).toBe(`algorithm=RSA256,keyVersion=1,signature=${urlEncoded}`);
    expect(signatureHeader(b64, 3)).toBe(`algorithm=RSA256,keyVersion=3,signature=${urlEncoded}`);
    expect(parseSignatureHeader(signatureHeader(b64, 3))).toEqual({ algorithm: "RSA256", keyVersion: "3", signature: b64 });
  });
});

describe("verification", () => {
  const signature = signContent(fixed, merchant.privateKey);

  test("accepts the untouched content, with the key in PEM or base64 DER form", () => {
    const der = (merchant.publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");
    expect(verifyContent(fixed, signature, merchant.publicKey)).toBe(true);
    expect(verifyContent(fixed, signature, publicPem)).toBe(true);
    expect(verifyContent(fixed, signature, der)).toBe(true);
  });

  test.each([
    ["body", { body: fixed.body.replace('"1000"', '"1001"') }],
    ["body whitespace", { body: fixed.body.replace(":", ": ") }],
    ["time", { time: "1685599933872" }],
    ["path", { path: "/ams/sandbox/api/v1/payments/pay" }],
    ["client ID", { clientId: "SANDBOX_5YBZ1K2ZXXXX00001" }],
    ["method", { method: "GET" }],
  ])("rejects a changed %s", (_, change) => {
    expect(verifyContent({ ...fixed, ...change }, signature, merchant.publicKey)).toBe(false);
  });

  test("rejects another key, and a signature that is not base64", () => {
    expect(verifyContent(fixed, signature, other.publicKey)).toBe(false);
    expect(verifyContent(fixed, signContent(fixed, other.privateKey), merchant.publicKey)).toBe(false);
    expect(verifyContent(fixed, "not base64!", merchant.publicKey)).toBe(false);
  });

  test("a header not in Antom's form is not read", () => {
    expect(parseSignatureHeader(undefined)).toBeUndefined();
    expect(parseSignatureHeader("signature=abc")).toBeUndefined();
    expect(parseSignatureHeader("algorithm=RSA512,keyVersion=1,signature=abc")).toBeUndefined();
    expect(parseSignatureHeader("algorithm=RSA256,keyVersion=1,signature=%E0%A4%A")).toBeUndefined();
  });
});

describe("keys", () => {
  test("private keys: PEM (PKCS#8, PKCS#1), base64 PKCS#8 DER with line breaks, DER bytes, PEM file bytes", () => {
    const der = merchant.privateKey.export({ type: "pkcs8", format: "der" }) as Buffer;
    const wrapped = der.toString("base64").replace(/(.{64})/g, "$1\n");
    const pemFileBytes = Buffer.from(privatePem, "utf8");
    for (const input of [privatePem, merchant.privateKey.export({ type: "pkcs1", format: "pem" }) as string, wrapped, der, pemFileBytes]) {
      expect(toPrivateKey(input).equals(merchant.privateKey)).toBe(true);
    }
  });

  test("public keys: PEM (SPKI, PKCS#1), base64 X.509 DER", () => {
    const der = (merchant.publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");
    for (const input of [publicPem, merchant.publicKey.export({ type: "pkcs1", format: "pem" }) as string, der]) {
      expect(toPublicKey(input).equals(merchant.publicKey)).toBe(true);
    }
  });

  test.each([
    ["an empty string", () => toPrivateKey(""), "privateKey", /empty/],
    ["text that is not a key", () => toPrivateKey("not a key!"), "privateKey", /neither PEM nor base64 DER/],
    ["base64 that is not a key", () => toPrivateKey("aGVsbG8gd29ybGQ="), "privateKey", /PKCS#8/],
    ["a public key as the private key", () => toPrivateKey(publicPem), "privateKey", /not a private key/],
    ["the private key as Antom's public key", () => toPublicKey(privatePem), "antomPublicKey", /is a private key/],
    ["a private KeyObject as Antom's public key", () => toPublicKey(merchant.privateKey), "antomPublicKey", /got a private key/],
  ])("%s is a config error naming the option", (_, run, option, message) => {
    expect(run).toThrow(AntomConfigError);
    try {
      run();
    } catch (error) {
      expect((error as AntomConfigError).option).toBe(option);
      expect((error as Error).message).toMatch(message);
    }
  });
});
