// A merchant's notification endpoint on 127.0.0.1: records what arrives and acknowledges it the
// way Antom expects.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { NOTIFICATION_ACK } from "../../src/core/notifications.js";

export const ACK = JSON.parse(NOTIFICATION_ACK);

export interface Received {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface Receiver {
  /** Base URL, e.g. `http://127.0.0.1:40123`; append any path to build a paymentNotifyUrl. */
  url: string;
  received: Received[];
  /** Resolves with the first `count` notifications that satisfy `match`, or rejects after `timeoutMs`. */
  waitFor(match: (r: Received) => boolean, count?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Kept as text: the test then fails on the body, with the text in its message.
      }
      received.push({ path: req.url ?? "", method: req.method ?? "", headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "application/json" }).end(NOTIFICATION_ACK);
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };

  const waitFor: Receiver["waitFor"] = (match, count = 1, timeoutMs = 10_000) =>
    new Promise((done, fail) => {
      const check = () => {
        const found = received.filter(match);
        if (found.length < count) return;
        cleanup();
        done(found.slice(0, count));
      };
      const timer = setTimeout(() => {
        cleanup();
        fail(new Error(`expected ${count} matching notification(s) within ${timeoutMs} ms; received: ${JSON.stringify(received.map((r) => [r.path, r.body?.notifyType]))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitFor,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
