// Runs the Prism mock server on the bundled contract. Used by `npm start`, `npm run mock`,
// the test suite and the benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Prism's own bin file, spawned directly: killing an `npx prism` wrapper leaves the server running.
const prismBin = join(root, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
export const bundledSpec = join(root, "generated", "openapi.yaml");

export interface MockOptions {
  host?: string;
  port?: number;
  /** Prism's log level; `warn` keeps it quiet and fast. */
  logLevel?: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Where Prism's own output goes; default: inherited from this process. */
  stdio?: "inherit" | "ignore" | "pipe";
  readyTimeoutMs?: number;
}

export interface RunningMock {
  baseUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** Starts Prism and resolves once it accepts connections. */
export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 4010;
  if (await portOpen(host, port)) throw new Error(`port ${port} on ${host} is already in use; pass another port`);
  const child = spawn(
    process.execPath,
    [prismBin, "mock", bundledSpec, "--host", host, "--port", String(port), "--errors", "false", "-v", options.logLevel ?? "warn"],
    { cwd: root, stdio: options.stdio ?? "inherit" },
  );
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `Prism exited (${signal ?? code}) before it was ready`));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await portOpen(host, port))) {
    if (exited) throw new Error(exited);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Prism did not listen on ${host}:${port} in time`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    });
  return { baseUrl: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`, process: child, stop };
}

/** Operations, notifications and the named outcomes the mock can answer with, read from the bundle. */
export function scenarios(): { operationId: string; path: string; requests: string[]; responses: string[] }[] {
  const spec = JSON.parse(readFileSync(join(root, "generated", "openapi.json"), "utf8"));
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

function parseArgs(argv: string[]): MockOptions {
  const options: MockOptions = {
    host: process.env.ANTOM_MOCK_HOST,
    port: process.env.ANTOM_MOCK_PORT ? Number(process.env.ANTOM_MOCK_PORT) : undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port" || argv[i] === "-p") options.port = Number(argv[++i]);
    else if (argv[i] === "--host" || argv[i] === "-h") options.host = argv[++i];
    else throw new Error(`unknown option ${argv[i]} (use --host and --port)`);
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    throw new Error("--port must be a TCP port number");
  }
  return options;
}

/** Starts the mock from the command line and keeps it up until Ctrl-C. */
export async function runFromCommandLine(argv: string[], banner: (mock: RunningMock) => string): Promise<void> {
  const mock = await startMock(parseArgs(argv));
  console.log(banner(mock));
  const shutdown = async () => {
    await mock.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  mock.process.once("exit", (code) => process.exit(code ?? 1));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runFromCommandLine(process.argv.slice(2), (mock) => `Antom mock (Prism) listening on ${mock.baseUrl}`).catch((error) => {
    console.error(String(error.message ?? error));
    process.exit(1);
  });
}
