// A merchant's notification endpoint done right: verify Antom's signature over the raw body,
// validate the message, process it once, and acknowledge it (again, on every redelivery).
//
//   ANTOM_CLIENT_ID=SANDBOX_... ANTOM_PUBLIC_KEY_FILE=antom-public.pem PORT=8080 npx tsx examples/notification-receiver.ts
//
// Check it with the conformance suite, playing Antom with the matching test private key:
//   npx antom-conformance webhooks --target http://127.0.0.1:8080/antom/notify --antom-private-key antom-private.pem
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NotificationBodyError, NotificationSignatureError, notificationAck, verifyNotification, type AntomNotification } from "../src/index.js";

export interface ReceiverOptions {
  /** Antom's public key from the Dashboard (PEM or base64 DER). */
  antomPublicKey: string;
  /** This merchant's client ID: a notification for another merchant is refused. */
  clientId: string;
  /** Refuse a notification whose Request-Time is further than this from now (default 30 minutes). */
  freshnessMinutes?: number;
  /** Business handling; called once per notification, however often Antom delivers it. */
  onNotification?: (notification: AntomNotification) => void;
}

function idempotencyKey(n: AntomNotification): string {
  if (n.kind === "notifyDispute") return `dispute:${n.body.disputeId}:${n.body.disputeNotificationType}`;
  if (n.kind === "notifyCapture") return `capture:${n.body.captureId}:${n.body.result.resultStatus}`;
  return `payment:${n.body.paymentId}:${n.body.notifyType}:${n.body.result.resultStatus}`;
}

export function createNotificationReceiver(options: ReceiverOptions): Server {
  const processed = new Set<string>();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        // The raw bytes, never a re-serialised object: the signature covers them exactly.
        const notification = verifyNotification({
          path: req.url ?? "/",
          headers: req.headers,
          body: Buffer.concat(chunks),
          antomPublicKey: options.antomPublicKey,
          clientId: options.clientId,
          freshnessMinutes: options.freshnessMinutes ?? 30,
        });
        const key = idempotencyKey(notification);
        if (!processed.has(key)) {
          processed.add(key);
          options.onNotification?.(notification);
        }
        res.writeHead(200, { "Content-Type": "application/json" }).end(notificationAck());
      } catch (error) {
        // Not acknowledged: a forged message must not be taken as Antom's, and a genuine one
        // that cannot be processed is better redelivered than lost.
        const status = error instanceof NotificationSignatureError ? 401 : error instanceof NotificationBodyError ? 400 : 500;
        res.writeHead(status, { "Content-Type": "text/plain" }).end(`not acknowledged: ${(error as Error).message}\n`);
      }
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const keyFile = process.env.ANTOM_PUBLIC_KEY_FILE;
  if (!keyFile) throw new Error("set ANTOM_PUBLIC_KEY_FILE to the file holding Antom's public key");
  const clientId = process.env.ANTOM_CLIENT_ID;
  if (!clientId) throw new Error("set ANTOM_CLIENT_ID to this merchant's client ID");
  const port = Number(process.env.PORT ?? 8080);
  createNotificationReceiver({
    antomPublicKey: readFileSync(keyFile, "utf8"),
    clientId,
    onNotification: (n) => console.log(`received ${n.kind} ${n.kind === "notifyDispute" ? n.body.disputeNotificationType : n.body.result.resultStatus}`),
  }).listen(port, "127.0.0.1", () => console.log(`notification receiver on http://127.0.0.1:${port}/antom/notify`));
}
