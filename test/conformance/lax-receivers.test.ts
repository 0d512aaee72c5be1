// Receivers that passed `antom-conformance webhooks` before and must fail it, each with a reason
// that names the problem; and deliveries that get no answer, reported as what happened.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, test } from "vitest";
import { keySigner } from "../../conformance/signer.js";
import { checkWebhookReceiver } from "../../conformance/webhooks.js";
import { NOTIFICATION_ACK, verifyNotification } from "../../src/index.js";
import { parseSignatureHeader } from "../../src/core/signing.js";

const antom = generateKeyPairSync("rsa", { modulusLength: 2048 });
const CLIENT_ID = "SANDBOX_LAX";
const signer = keySigner({ clientId: CLIENT_ID, privateKey: antom.privateKey });
const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((done) => { s.closeAllConnections(); s.close(done); }))));

interface Lax {
  /** Acknowledge when the Signature header cannot even be read (treats it as nothing to check). */
  ackMalformedSignature?: boolean;
  ack?: string;
  contentType?: string;
  hangUp?: boolean;
  delayMs?: number;
}

async function receiver(lax: Lax): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (lax.hangUp) return void req.socket.destroy();
      const answer = () => {
        const ack = () => res.writeHead(200, { "Content-Type": lax.contentType ?? "application/json" }).end(lax.ack ?? NOTIFICATION_ACK);
        if (lax.ackMalformedSignature && !parseSignatureHeader(String(req.headers.signature ?? ""))) return void ack();
        try {
          verifyNotification({ path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks), antomPublicKey: antom.publicKey, clientId: CLIENT_ID });
          ack();
        } catch (error) {
          res.writeHead(401, { "Content-Type": "text/plain" }).end(String((error as Error).message));
        }
      };
      if (lax.delayMs) setTimeout(answer, lax.delayMs);
      else answer();
    });
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
}

async function reasons(lax: Lax, timeoutMs?: number): Promise<string[]> {
  const checks = await checkWebhookReceiver({ target: await receiver(lax), signer, timeoutMs });
  return checks.filter((c) => !c.passed).flatMap((c) => c.details);
}

describe("lax receivers fail the webhook check, with the reason", () => {
  test("the project's own strict receiver (the stand-in above, verifying everything) passes", async () => {
    expect(await reasons({})).toEqual([]);
  });

  test("acknowledging a forgery whose Signature header is malformed", async () => {
    const found = await reasons({ ackMalformedSignature: true });
    expect(found.some((r) => r.startsWith("the receiver acknowledged a notification whose Signature header is malformed"))).toBe(true);
  });

  test("an acknowledgement without resultMessage", async () => {
    const found = await reasons({ ack: '{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}' });
    expect(found).toContain(`acknowledgement result.resultMessage is missing; Antom's acknowledgement is ${NOTIFICATION_ACK}`);
  });

  test("an acknowledgement sent as text/plain", async () => {
    const found = await reasons({ contentType: "text/plain" });
    expect(found).toContain('Content-Type is "text/plain", expected application/json');
  });

  test("a connection closed without an answer is reported as such, not as 'fetch failed'", async () => {
    const found = await reasons({ hangUp: true });
    expect(found).toContain("no answer: the receiver closed the connection without answering");
    expect(found.join("\n")).not.toContain("fetch failed");
  });

  test("the timeout is configurable and named in the report", async () => {
    const found = await reasons({ delayMs: 500 }, 100);
    expect(found).toContain("no answer: no answer within 100 ms (the timeout; --timeout-ms to change it)");
  });
});
