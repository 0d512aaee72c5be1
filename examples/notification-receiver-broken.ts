// A notification endpoint with two classic mistakes, kept to show what the conformance suite
// catches: it never checks Antom's signature (so anyone can forge a "payment succeeded"), and it
// answers disputes with a plain "success" instead of the acknowledgement body (so Antom keeps
// redelivering them). Do not copy it.
import { createServer, type Server } from "node:http";
import { notificationAck } from "../src/index.js";

export function createBrokenNotificationReceiver(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // Mistake: even garbage is acknowledged below.
      }
      if (body.disputeNotificationType) {
        res.writeHead(200, { "Content-Type": "text/plain" }).end("success");
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end(notificationAck());
    });
  });
}
