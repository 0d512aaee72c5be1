// A small loopback guard in front of Prism: every request to the mock passes through it, and a
// body too large or nested too deep is answered here (413, 422 problem+json) instead of reaching
// Prism, whose recursive validation overflows its stack on a few kilobytes nested 5,000 levels
// deep and takes the shared mock down. Everything else is forwarded unchanged.
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseJsonBody } from "../src/core/json-body.js";

export interface GuardOptions {
  /** Where the guard listens: the mock's public address. */
  host: string;
  port: number;
  /** Prism's own port, on 127.0.0.1. */
  target: number;
  /** The largest request body forwarded (default 1 MiB). */
  maxBytes?: number;
  /** The deepest nesting of a JSON body forwarded (default 64). */
  maxDepth?: number;
}

export interface RunningGuard {
  port: number;
  close(): Promise<void>;
}

export const GUARD_MAX_BYTES = 1024 * 1024;
export const GUARD_MAX_DEPTH = 64;
const PROBLEM_TYPE = "urn:antom-openapi:mock-guard";

function problem(res: ServerResponse, status: number, code: string, title: string, detail: string, path: string[] = []): void {
  if (res.headersSent) return;
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE}#${code}`,
    title,
    status,
    detail,
    validation: [{ location: ["body", ...path], severity: "Error", code, message: detail }],
  });
  res.writeHead(status, { "Content-Type": "application/problem+json", "Content-Length": Buffer.byteLength(body), Connection: "close" }).end(body);
}

export function startGuard(options: GuardOptions): Promise<RunningGuard> {
  const maxBytes = options.maxBytes ?? GUARD_MAX_BYTES;
  const maxDepth = options.maxDepth ?? GUARD_MAX_DEPTH;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const headers = { ...req.headers };
    delete headers["transfer-encoding"];
    if (body.length > 0 || headers["content-length"] !== undefined) headers["content-length"] = String(body.length);
    const upstream = request({ host: "127.0.0.1", port: options.target, method: req.method, path: req.url, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.once("error", (error) => problem(res, 502, "UPSTREAM", "Mock unavailable", `Prism did not answer: ${error.message}`));
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const declared = Number(req.headers["content-length"]);
    if (declared > maxBytes) {
      problem(res, 413, "TOO_LARGE", "Request body too large", `the body is ${declared} bytes; this mock accepts at most ${maxBytes}`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        refused = true;
        problem(res, 413, "TOO_LARGE", "Request body too large", `the body is larger than ${maxBytes} bytes, the most this mock accepts`);
        return;
      }
      chunks.push(chunk);
    });
    req.once("error", () => res.destroy());
    req.on("end", () => {
      if (refused) return;
      const body = Buffer.concat(chunks, size);
      if (body.length > 0) {
        // Whatever the declared content type: Prism may parse it.
        const read = parseJsonBody(body, { maxBytes, maxDepth });
        if (!read.ok && read.error.rule === "maxDepth") {
          const path = read.error.path === "(root)" ? [] : read.error.path.split(/[.[\]]+/).filter(Boolean);
          problem(res, 422, "TOO_DEEP", "Invalid request", `the body nests deeper than ${maxDepth} levels of objects and arrays (at ${read.error.path})`, path);
          return;
        }
      }
      forward(req, res, body);
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  return new Promise((ready, fail) => {
    server.once("error", fail);
    server.listen(options.port, options.host, () => {
      server.off("error", fail);
      ready({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            agent.destroy();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
