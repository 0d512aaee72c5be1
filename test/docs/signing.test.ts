// The worked example in docs/signing.md must be right: its signatures are recomputed here from
// the test key in docs/signing-example/ (RSA PKCS#1 v1.5 is deterministic) and verified.
import { createPrivateKey, createPublicKey, createSign, createVerify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { root } from "../helpers/paths.js";

const doc = readFileSync(join(root, "docs", "signing.md"), "utf8");
const privateKeyPem = readFileSync(join(root, "docs", "signing-example", "test-private-key.pem"), "utf8");
const publicKeyPem = readFileSync(join(root, "docs", "signing-example", "test-public-key.pem"), "utf8");

/** The fenced blocks of the page, without their fences. */
const blocks = [...doc.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);

function signatureHeaders(): string[] {
  return [...doc.matchAll(/^Signature: (algorithm=RSA256,keyVersion=1,signature=\S+)$/gm)].map((m) => m[1]);
}

/** The two quoted lines given to `printf '%s\n%s'` in a shell block, joined as printf joins them. */
function printfContent(block: string): string {
  const match = /printf '%s\\n%s' '([^']*)' \\\n\s*'([^']*)'/.exec(block);
  if (!match) throw new Error(`no printf content in:\n${block}`);
  return `${match[1]}\n${match[2]}`;
}

const sign = (content: string) => createSign("RSA-SHA256").update(content).sign(privateKeyPem, "base64");
const verify = (content: string, base64: string) => createVerify("RSA-SHA256").update(content).verify(publicKeyPem, base64, "base64");
const signatureOf = (header: string) => decodeURIComponent(/signature=([^,]+)$/.exec(header)![1]);

describe("docs/signing.md worked example", () => {
  test("the public key file belongs to the private key", () => {
    const derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" });
    expect(derived).toBe(publicKeyPem);
  });

  test("request: the content shown, the openssl command and the Signature header agree", () => {
    const shown = blocks.find((b) => b.startsWith("POST /ams/sandbox/api/v1/payments/cancel\n"))!.replace(/\n$/, "");
    const command = blocks.find((b) => b.includes("openssl dgst -sha256 -sign") && b.includes("payments/cancel"))!;
    expect(printfContent(command)).toBe(shown);
    const base64 = sign(shown);
    expect(blocks.map((b) => b.trim())).toContain(base64);
    const [requestHeader] = signatureHeaders();
    expect(requestHeader).toBe(`algorithm=RSA256,keyVersion=1,signature=${encodeURIComponent(base64)}`);
  });

  test("notification: the header verifies over the content, and fails for any other time", () => {
    const command = blocks.find((b) => b.includes("-verify") && b.includes("/payNotify"))!;
    const content = printfContent(command);
    expect(content.startsWith("POST /payNotify\nSANDBOX_5YBZ1K2ZXXXX00000.1714545005000.{")).toBe(true);
    const body = content.slice(content.indexOf("{"));
    expect(doc).toContain(`| body | \`${body}\` |`);
    expect(JSON.parse(body).notifyType).toBe("CAPTURE_RESULT");
    const header = signatureHeaders().find((h) => h !== signatureHeaders()[0])!;
    expect(command).toContain(`SIG='${/signature=(\S+)$/.exec(header)![1]}'`);
    expect(verify(content, signatureOf(header))).toBe(true);
    expect(verify(content.replace(".1714545005000.", ".1714545005001."), signatureOf(header))).toBe(false);
  });

  test("the response content follows the recipe: same URI, response-time, raw body", () => {
    const shown = blocks.find((b) => b.includes("2024-05-01T10:00:01+08:00.{"))!.trim();
    expect(shown).toBe(
      'POST /ams/sandbox/api/v1/payments/cancel\nSANDBOX_5YBZ1K2ZXXXX00000.2024-05-01T10:00:01+08:00.{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}',
    );
  });
});
