import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { main } from "../../conformance/cli.js";
import { keySigner } from "../../conformance/signer.js";
import { checkWebhookReceiver, notificationVariants } from "../../conformance/webhooks.js";
import { createBrokenNotificationReceiver } from "../../examples/notification-receiver-broken.js";
import { createNotificationReceiver } from "../../examples/notification-receiver.js";

// The test key pair plays Antom's: the receivers trust its public half.
const antom = generateKeyPairSync("rsa", { modulusLength: 2048 });
const antomPrivatePem = antom.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const antomPublicPem = antom.publicKey.export({ type: "spki", format: "pem" }).toString();

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/antom/notify`;
}

describe("antom-conformance webhooks", () => {
  const received: string[] = [];
  const good = createNotificationReceiver({ antomPublicKey: antomPublicPem, clientId: "SANDBOX_5YBZ1K2ZXXXX00000", onNotification: (n) => received.push(n.kind) });
  const broken = createBrokenNotificationReceiver();
  let goodUrl = "";
  let brokenUrl = "";
  beforeAll(async () => {
    goodUrl = await listen(good);
    brokenUrl = await listen(broken);
  });
  afterAll(() => Promise.all([good, broken].map((s) => new Promise((done) => s.close(done)))));

  const signer = keySigner({ clientId: "SANDBOX_5YBZ1K2ZXXXX00000", privateKey: antomPrivatePem });

  test("a correct receiver passes every check, and processes each notification once despite redelivery", async () => {
    const checks = await checkWebhookReceiver({ target: goodUrl, signer });
    expect(checks.filter((c) => !c.passed)).toEqual([]);
    const variants = notificationVariants();
    expect(checks.length).toBe(variants.length + 5);
    for (const kind of ["notifyPayment", "notifyCapture", "notifyDispute"]) expect(received).toContain(kind);
    // Redeliveries were acknowledged every time but handled once per payment event.
    const events = new Set(
      variants
        .filter((v) => v.operationId === "notifyPayment")
        .map((v: any) => `${v.body.paymentId}:${v.body.notifyType}:${v.body.result.resultStatus}`),
    );
    expect(received.filter((k) => k === "notifyPayment").length).toBe(events.size);
  });

  test("a notification URL with a query string is signed over its path and query, as the receiver verifies it", async () => {
    const checks = await checkWebhookReceiver({ target: `${goodUrl}?shop=1`, signer });
    expect(checks.filter((c) => !c.passed)).toEqual([]);
  });

  test("a receiver that skips verification and answers disputes with plain text fails, and the report says why", async () => {
    const checks = await checkWebhookReceiver({ target: brokenUrl, signer });
    const failed = checks.filter((c) => !c.passed);
    const reasons = failed.flatMap((c) => c.details);
    expect(reasons).toContain("the receiver acknowledged a notification whose signature does not verify");
    expect(reasons).toContain("the receiver acknowledged a notification whose body differs from what was signed");
    expect(reasons).toContain("the receiver acknowledged a notification without a Signature header");
    expect(reasons).toContain('body is not valid JSON: Unexpected token \'s\': "success"');
    expect(failed.filter((c) => c.suite === "notifyDispute").length).toBe(notificationVariants().filter((v) => v.operationId === "notifyDispute").length);
    expect(checks.filter((c) => c.passed && c.suite === "notifyCapture").length).toBeGreaterThan(0);
  });

  test("the CLI takes the key as a file (PEM or the Dashboard's base64 DER) and exits 1 on a broken receiver", async () => {
    const dir = mkdtempSync(join(tmpdir(), "antom-keys-"));
    const der = join(dir, "antom-private.txt");
    writeFileSync(der, antom.privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"));
    let out = "";
    const io = { out: (t: string) => (out += t), err: (t: string) => (out += t) };
    expect(await main(["webhooks", "--target", goodUrl, "--antom-private-key", der, "--client-id", "SANDBOX_5YBZ1K2ZXXXX00000"], io)).toBe(0);
    expect(out).toMatch(/\d+ passed, 0 failed/);
    out = "";
    expect(await main(["webhooks", "--target", brokenUrl, "--antom-private-key", der, "--reporter", "junit", "--output", join(dir, "r.xml")], io)).toBe(1);
    expect(out).toMatch(/FAIL {2}notifyPayment > .*tampered signature, not acknowledged/);
    expect(await main(["webhooks", "--target", goodUrl], io)).toBe(2);
  });
});
