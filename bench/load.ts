// What the sandbox benchmarks share: the pay they send, signed request pools, starting the
// sandbox in its own process, loading a server with autocannon and reading its CPU time.
import { spawn, type ChildProcess } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import autocannon, { type Result } from "autocannon";
import { freePort } from "../scripts/mock.js";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CLIENT_ID = "SANDBOX_BENCH_MERCHANT";
/** The sandbox serves a SANDBOX_ client here, as the project's client calls it; the floor uses the same path. */
export const SANDBOX_PATH = "/ams/sandbox/api/v1/payments/pay";

/**
 * A pay with a test card that authorizes, automatic capture, and by default no paymentNotifyUrl
 * (no notification is sent); with --notify, a paymentNotifyUrl at a loopback receiver.
 */
export const payTemplate = (notifyUrl?: string) => JSON.stringify({
  productCode: "CASHIER_PAYMENT",
  paymentRequestId: "__ID__",
  order: { referenceOrderId: "ORDER___ID__", orderDescription: "Benchmark order", orderAmount: { currency: "USD", value: "1000" } },
  paymentAmount: { currency: "USD", value: "1000" },
  paymentMethod: { paymentMethodType: "CARD", paymentMethodMetaData: { cardNo: "4054695723100768", cvv: "123", expiryMonth: "12", expiryYear: "30" } },
  paymentFactor: { isAuthorization: true },
  env: { terminalType: "WEB" },
  paymentRedirectUrl: "https://merchant.example/return",
  settlementStrategy: { settlementCurrency: "USD" },
  ...(notifyUrl ? { paymentNotifyUrl: notifyUrl } : {}),
});

// ---- signed request pools -----------------------------------------------------------------

export interface Signed {
  body: string;
  headers: Record<string, string>;
}

// Signs bodies off the main thread, before any load runs: signing is the client's cost, never the server's.
const SIGNER = `
const { workerData, parentPort } = require("node:worker_threads");
const { createPrivateKey, sign } = require("node:crypto");
const key = createPrivateKey(workerData.privateKeyPem);
const out = [];
for (let i = workerData.from; i < workerData.to; i++) {
  const body = workerData.template.replaceAll("__ID__", workerData.prefix + i);
  const time = String(Date.now());
  const signed = sign("sha256", Buffer.from("POST " + workerData.path + "\\n" + workerData.clientId + "." + time + "." + body), key).toString("base64");
  out.push({ body, headers: { "Content-Type": "application/json; charset=UTF-8", "Client-Id": workerData.clientId, "Request-Time": time, Signature: "algorithm=RSA256,keyVersion=1,signature=" + encodeURIComponent(signed) } });
}
parentPort.postMessage(out);
`;

export async function signPool(count: number, prefix: string, path: string, privateKeyPem: string, template: string): Promise<Signed[]> {
  const threads = Math.max(1, Math.min(cpus().length, 4));
  const share = Math.ceil(count / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const workerData = { template, prefix, path, clientId: CLIENT_ID, privateKeyPem, from: t * share, to: Math.min(count, (t + 1) * share) };
      return new Promise<Signed[]>((done, fail) => {
        const worker = new Worker(SIGNER, { eval: true, workerData });
        worker.once("message", done);
        worker.once("error", fail);
      });
    }),
  );
  return parts.flat();
}

// ---- servers ---------------------------------------------------------------------------------

export interface Target {
  name: string;
  /** The server's process, for its CPU time. */
  pid?: number;
  url: string;
  path: string;
  /** Whether an answer is what the server should give: HTTP 200, and for signed servers S/SUCCESS and a signature. */
  accepts(status: number, body: string, headers: Record<string, string>): boolean;
  stop(): Promise<void>;
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    child.kill("SIGTERM");
  });
}

/** Waits until `child` prints `pattern` on stdout; the match. */
export function awaitOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    let seen = "";
    const timer = setTimeout(() => fail(new Error(`${what} did not start within 60 s:\n${seen.slice(-2000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        done(match);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (seen += chunk.toString("utf8")));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited (${signal ?? code}) before it was ready:\n${seen.slice(-2000)}`));
    });
  });
}

export const isSuccess = (body: string) => body.includes('"resultStatus":"S"') && body.includes('"resultCode":"SUCCESS"');

/** The sandbox as `npm run sandbox` runs it, in its own process; `flags` are more of its command-line flags. */
export async function startSandboxProcess(keysDir: string, options: { profileDir?: string; flags?: string[]; name?: string } = {}): Promise<Target & { reset(): Promise<void> }> {
  const { profileDir, flags = [], name = "sandbox" } = options;
  const port = await freePort();
  const child = spawn(process.execPath, [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), "--import", "tsx", join(root, "src", "sandbox", "bin.ts"), "--port", String(port), "--keys-dir", keysDir, "--client-id", CLIENT_ID, ...flags], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [, url] = await awaitOutput(child, /Antom sandbox at (http:\/\/\S+)/, "the sandbox");
  return {
    name,
    pid: child.pid,
    url,
    path: SANDBOX_PATH,
    accepts: (status, body, headers) => status === 200 && isSuccess(body) && typeof headers.signature === "string",
    stop: () => stopChild(child),
    async reset() {
      const response = await fetch(`${url}/sandbox/reset`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ clientId: CLIENT_ID }) });
      if (response.status !== 200) throw new Error(`POST /sandbox/reset answered ${response.status}`);
    },
  };
}

// ---- load -----------------------------------------------------------------------------------

export interface Load {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Answers that were not what the server should give (or transport errors). */
  bad: number;
  /** CPU time the server process spent per answered request, ms (undefined where /proc is absent). */
  cpuMsPerRequest?: number;
  /** Requests sent again from the pool once it ran out (a repeated paymentRequestId for the sandbox). */
  reused: number;
}

/** User plus system CPU time of a process so far, ms, from /proc (Linux; clock ticks of 10 ms). */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Loads `target` for `seconds` over `connections` keep-alive connections with bodies from `pool`, in order. */
export async function load(target: Target, pool: Signed[], seconds: number, connections: number): Promise<Load> {
  const cpuBefore = cpuMs(target.pid);
  let next = 0;
  let reused = 0;
  let bad = 0;
  const result: Result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path: target.path,
        setupRequest: (request) => {
          if (next >= pool.length) reused++;
          const item = pool[next++ % pool.length];
          return { ...request, method: "POST", path: target.path, headers: item.headers, body: item.body };
        },
        onResponse: (status, body, _context, headers) => {
          if (!target.accepts(status, body, headers)) bad++;
        },
      },
    ],
  });
  const cpuAfter = cpuMs(target.pid);
  return {
    cpuMsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0 ? (cpuAfter - cpuBefore) / result.requests.total : undefined,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    bad: bad + result.errors + result.timeouts,
    reused,
  };
}

// ---- checks before measuring ----------------------------------------------------------------

/** One request as the load sends it; the answer must be signed by `antomPublicKeyPem` over the request path when `signed`. */
export async function preflight(target: Target, item: Signed, antomPublicKeyPem: string, signed: boolean): Promise<string> {
  const response = await fetch(`${target.url}${target.path}`, { method: "POST", headers: item.headers, body: item.body });
  const text = await response.text();
  const headers = Object.fromEntries(response.headers);
  if (!target.accepts(response.status, text, headers)) throw new Error(`${target.name} did not accept the benchmark's pay: HTTP ${response.status} ${text.slice(0, 300)}`);
  if (signed) {
    const time = headers["response-time"];
    const value = decodeURIComponent(/signature=([^,]+)/.exec(headers.signature ?? "")?.[1] ?? "");
    const content = Buffer.from(`POST ${target.path}\n${CLIENT_ID}.${time}.${text}`);
    if (!verify("sha256", content, createPublicKey(antomPublicKeyPem), Buffer.from(value, "base64"))) throw new Error(`${target.name}'s answer is not signed with the sandbox's key`);
  }
  return text;
}

// ---- report -----------------------------------------------------------------------------------

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export const fixed = (v: number, digits = 1) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const rate = (v: number) => `${Math.round(v).toLocaleString("en-US")} req/s`;

// ---- running ----------------------------------------------------------------------------------

/** Stops every server started (last first, failures ignored) and removes the run's keys. */
export async function cleanUp(stops: (() => Promise<void>)[], keysDir: string): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  rmSync(keysDir, { recursive: true, force: true });
}

/** Runs a benchmark; a failure prints its stack and exits with 1. */
export async function runBenchmark(main: () => Promise<void>): Promise<void> {
  await main().catch((error) => {
    console.error(String(error?.stack ?? error));
    process.exit(1);
  });
}
