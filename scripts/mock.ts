// Runs the Prism mock server on the bundled contract. Used by `npm start`, `npm run mock`,
// the test suite and the benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { request } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { contract } from "../src/core/contract.js";
import { startGuard } from "./mock-guard.js";
import { redactText } from "../src/core/redact.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Prism's own bin file, spawned directly: killing an `npx prism` wrapper leaves the server running.
const prismBin = join(root, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
const loopbackOnlyPreload = join(root, "scripts", "loopback-only.cjs");
export const bundledSpec = join(root, "generated", "openapi.yaml");

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 4010;

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface MockOptions {
  host?: string;
  /** TCP port; `0` picks a free one. Default 4010. */
  port?: number;
  /** Prism's log level; `warn` keeps it quiet and fast. */
  logLevel?: LogLevel;
  /**
   * Where Prism's own output goes: `inherit` (default) shows it, `ignore` hides it, `pipe` leaves
   * it on `process.stdout`/`process.stderr` of the child. The last few kilobytes are always kept
   * (unless inherited) so an early exit can say why.
   */
  stdio?: "inherit" | "ignore" | "pipe";
  /** How long Prism may take to accept requests. Default 30 s. */
  readyTimeoutMs?: number;
  /** The OpenAPI document to serve. Default: the bundle, `generated/openapi.yaml`. */
  spec?: string;
  /**
   * Refuse Prism's outbound connections to any host but this machine, so the notifications it
   * sends to a pay request's paymentNotifyUrl cannot leave it (tests, benchmarks). Default false.
   */
  loopbackOnly?: boolean;
  /**
   * Put the loopback guard in front of Prism (default true): bodies larger than 1 MiB or nested
   * deeper than 64 levels are answered by the guard (413, 422) and never reach Prism, which
   * would otherwise crash on them. Prism itself then listens on a private loopback port.
   */
  guard?: boolean;
}

export interface RunningMock {
  /** `http://<host>:<port>`; operation paths (`/v1/payments/pay`, ...) go right after it. */
  baseUrl: string;
  host: string;
  port: number;
  /** The Prism server process itself (not a wrapper), so killing it stops the server. */
  process: ChildProcess;
  /** The port Prism itself listens on (behind the guard, on 127.0.0.1); equals `port` without the guard. */
  prismPort: number;
  /** Stops Prism: SIGTERM, then SIGKILL after 3 s. Safe to call more than once. */
  stop(): Promise<void>;
}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const OUTPUT_TAIL_BYTES = 8192;

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      done(false);
    });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** A port that is free right now on `host`: the one the OS hands out for a listen on port 0. */
export function freePort(host = DEFAULT_HOST): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once("error", fail);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * Asks the server for a CORS preflight: Prism answers it with 204 and, unlike any other request,
 * does not log it, so probing does not litter the console.
 */
function answersPreflight(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = request(
      {
        host,
        port,
        method: "OPTIONS",
        path: "/",
        headers: { Origin: "http://127.0.0.1", "Access-Control-Request-Method": "POST" },
        timeout: 1000,
        agent: false,
      },
      (res) => {
        res.resume();
        done(res.statusCode === 204);
      },
    );
    req.once("timeout", () => req.destroy());
    req.once("error", () => done(false));
    req.end();
  });
}

function checkAddress(host: string, port: number): void {
  if (!host) throw new Error("host must not be empty");
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Error(`port must be a TCP port number (0-65535), got ${port}`);
}

/** The mark every refusal of scripts/loopback-only.cjs carries. */
export const REFUSAL_MARK = "this mock only connects to 127.0.0.1 (loopbackOnly)";

/**
 * Forwards Prism's output line by line through the one redaction step (Prism may log request
 * values), showing a refused notification once per host (Prism logs two lines per pay
 * otherwise) with a note that later ones are not shown.
 */
export function onceRefusals(out: { write(text: string): unknown }): (chunk: Buffer) => void {
  const shown = new Set<string>();
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.includes(REFUSAL_MARK)) {
        out.write(`${redactText(line)}\n`);
        continue;
      }
      const host = /connection to (\S+) refused/.exec(line)?.[1] ?? "?";
      if (shown.has(host)) continue;
      shown.add(host);
      out.write(`Notifications to ${host} are not sent: this mock only connects to 127.0.0.1 (start it with --allow-remote-notifications to change that). Shown once.\n`);
    }
  };
}

class EarlyExit extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

async function launch(host: string, port: number, options: MockOptions): Promise<RunningMock> {
  const logLevel = options.logLevel ?? "warn";
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`logLevel must be one of ${LOG_LEVELS.join(", ")}, got ${logLevel}`);
  const stdio = options.stdio ?? "inherit";
  const child = spawn(
    process.execPath,
    [...(options.loopbackOnly ? ["--require", loopbackOnlyPreload] : []), prismBin, "mock", options.spec ?? bundledSpec, "--host", host, "--port", String(port), "--errors", "false", "-v", logLevel],
    // Shown output is piped through the launcher: card data redacted, refusals once per host.
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  if (stdio === "inherit") {
    child.stdout?.on("data", onceRefusals(process.stdout));
    child.stderr?.on("data", onceRefusals(process.stderr));
  }

  // The tail of Prism's output, to explain an early exit.
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  // If this process goes away without calling stop(), take Prism with it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exit = new Promise<void>((done) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      process.removeListener("exit", killOnExit);
      done();
    });
  });
  child.once("error", (error) => (spawnError = error));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (exited) return;
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 3000);
      force.unref();
      await exit;
      clearTimeout(force);
    })();
    return stopping;
  };

  const timeout = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (spawnError) throw new Error(`could not start Prism (${prismBin}): ${spawnError.message}`);
    if (exited) {
      const how = exited.signal ? `signal ${exited.signal}` : `code ${exited.code}`;
      const output = tail.trim();
      throw new EarlyExit(`Prism exited (${how}) before it was ready${output ? `:\n${output.split("\n").slice(-10).join("\n")}` : ""}`, output);
    }
    // The answer counts only while our Prism is alive: had another process taken the port,
    // Prism would have exited with EADDRINUSE.
    if ((await answersPreflight(host, port)) && !exited) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Prism did not answer on ${host}:${port} within ${timeout} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return { baseUrl: `http://${urlHost}:${port}`, host, port, process: child, prismPort: port, stop };
}

function withGuard(prism: RunningMock, host: string, port: number): Promise<RunningMock> {
  return startGuard({ host, port, target: prism.port }).then(
    (guard) => {
      const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      let stopping: Promise<void> | undefined;
      // If Prism goes away, the guard has nothing to guard.
      prism.process.once("exit", () => void guard.close());
      return {
        baseUrl: `http://${urlHost}:${guard.port}`,
        host,
        port: guard.port,
        process: prism.process,
        prismPort: prism.port,
        stop: () => (stopping ??= Promise.all([guard.close(), prism.stop()]).then(() => undefined)),
      };
    },
    async (error: Error) => {
      await prism.stop();
      throw new Error(`the mock's guard could not listen on ${host}:${port}: ${error.message}`);
    },
  );
}

/** Starts Prism on the bundled contract (behind the loopback guard) and resolves once it answers requests. */
export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  checkAddress(host, port);
  if (port !== 0 && (await portInUse(host, port))) throw new Error(`port ${port} on ${host} is already in use; pass another port (or 0 for a free one)`);
  const guarded = options.guard ?? true;
  // Behind the guard, Prism listens on a free loopback port of its own.
  const prismHost = guarded ? DEFAULT_HOST : host;
  if (!guarded && port !== 0) return launch(host, port, options);
  // A free port can be taken between the probe and Prism's listen: try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      const prism = await launch(prismHost, await freePort(prismHost), options);
      return guarded ? await withGuard(prism, host, port) : prism;
    } catch (error) {
      if (!(error instanceof EarlyExit && error.output.includes("EADDRINUSE")) || attempt === 3) throw error;
    }
  }
}

export interface Scenario {
  operationId: string;
  path: string;
  /** Names of the request examples. */
  requests: string[];
  /** Names of the response examples: the outcomes `Prefer: example=<name>` selects. The first is the default. */
  responses: string[];
}

/** Operations and the named outcomes the mock can answer with, read from the bundle. */
export function scenarios(): Scenario[] {
  const spec = contract();
  return Object.entries(spec.paths as Record<string, any>).map(([path, item]) => {
    const op = item.post;
    return {
      operationId: op.operationId,
      path,
      requests: Object.keys(op.requestBody?.content?.["application/json"]?.examples ?? {}),
      responses: Object.keys(op.responses?.["200"]?.content?.["application/json"]?.examples ?? {}),
    };
  });
}

const USAGE = `Options:
  --port, -p <n>   TCP port (default ${DEFAULT_PORT}, env ANTOM_MOCK_PORT; 0 picks a free one)
  --host, -h <h>   interface to listen on (default ${DEFAULT_HOST}, env ANTOM_MOCK_HOST)
  --allow-remote-notifications
                   also POST callbacks (notifyPayment, notifyCapture) to paymentNotifyUrl hosts
                   other than this machine; by default they go to 127.0.0.1 only
  --help           this text`;

/** Reads `--host`/`--port` (and ANTOM_MOCK_HOST/ANTOM_MOCK_PORT); `help` when asked for usage. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): MockOptions | "help" {
  const number = (value: string | undefined, from: string) => {
    if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${from} must be a TCP port number (0-65535), got ${JSON.stringify(value ?? "")}`);
    return Number(value);
  };
  const options: MockOptions = {
    host: env.ANTOM_MOCK_HOST || undefined,
    port: env.ANTOM_MOCK_PORT ? number(env.ANTOM_MOCK_PORT, "ANTOM_MOCK_PORT") : undefined,
    // The contract's pay examples name real merchant hosts in paymentNotifyUrl: a mock started
    // from the command line keeps its callbacks on this machine unless told otherwise.
    loopbackOnly: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (name === "--port" || name === "-p") options.port = number(value(), "--port");
    else if (name === "--host" || name === "-h") {
      options.host = value();
      if (!options.host) throw new Error("--host needs a value");
    } else if (name === "--allow-remote-notifications") options.loopbackOnly = false;
    else if (name === "--help") return "help";
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (options.port !== undefined) checkAddress(options.host ?? DEFAULT_HOST, options.port);
  return options;
}

/** Starts the mock from the command line and keeps it up until Ctrl-C (or SIGTERM). */
export async function runFromCommandLine(argv: string[], banner: (mock: RunningMock) => string): Promise<void> {
  const options = parseArgs(argv);
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  const mock = await startMock(options);
  console.log(banner(mock));
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await mock.stop();
    console.log("Mock stopped.");
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  mock.process.once("exit", (code, signal) => {
    // Ctrl-C in a terminal reaches Prism too: that is a normal stop, not a crash.
    if (stopping || signal === "SIGINT" || signal === "SIGTERM") return void shutdown();
    console.error(`Prism exited unexpectedly (${signal ?? `code ${code}`})`);
    process.exit(1);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runFromCommandLine(process.argv.slice(2), (mock) => `Antom mock (Prism) listening on ${mock.baseUrl}; Ctrl-C stops it.`).catch((error) => {
    console.error(String(error?.message ?? error));
    process.exit(1);
  });
}
