// `npm run bench:mock` (the first part of `npm run bench`): start-up time and throughput of the Prism mock, each against a baseline
// measured in the same run (a bare node:http server answering the same JSON), so the figures
// travel between machines as ratios. Writes docs/benchmarks.md.
//
//   npm run bench:mock -- [--runs 5] [--requests 3000] [--concurrency 16] [--no-write]
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, type as osType, release } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { contract } from "../src/core/contract.js";
import { freePort, startMock, type RunningMock } from "../scripts/mock.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const spec = contract();

const PATH = "/v1/payments/inquiryPayment";
const operation = spec.paths[PATH].post;
const REQUEST_BODY = JSON.stringify(Object.values<any>(operation.requestBody.content["application/json"].examples)[0].value);
/** The mock's default answer, which the baseline server returns too. */
const RESPONSE_BODY = JSON.stringify(Object.values<any>(operation.responses["200"].content["application/json"].examples)[0].value);
const HEADERS = {
  "Content-Type": "application/json",
  "Client-Id": "SANDBOX_5YBZ1K2ZXXXX00000",
  "Request-Time": "1714528800000",
  Signature: "algorithm=RSA256,keyVersion=1,signature=not-verified-by-the-mock",
};
const PAY_PATH = "/v1/payments/pay";
const PAY_BODY = JSON.stringify(spec.paths[PAY_PATH].post.requestBody.content["application/json"].examples.rawCard.value);
/** Nothing may take longer than this; a stuck server fails the run instead of hanging it. */
const REQUEST_TIMEOUT_MS = 10_000;

interface Options {
  runs: number;
  requests: number;
  concurrency: number;
  write: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 5, requests: 3000, concurrency: 16, write: true };
  const limits = { runs: [1, 20], requests: [100, 100_000], concurrency: [1, 256] } as const;
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, "");
    if (name === "no-write") options.write = false;
    else if (name in limits) {
      const value = Number(argv[++i]);
      const [min, max] = limits[name as keyof typeof limits];
      if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
      options[name as keyof typeof limits] = value;
    } else throw new Error(`unknown option ${argv[i]} (use --runs, --requests, --concurrency, --no-write)`);
  }
  return options;
}

// The baseline: the least a server can do with the same request, in a process of its own like Prism.
const BASELINE_SERVER = `
const http = require("node:http");
const body = process.env.BODY;
http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end(body));
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

interface Server {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

function post(agent: Agent, port: number, path = PATH, body = REQUEST_BODY): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers: HEADERS, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.once("end", () => done(res.statusCode ?? 0));
    });
    req.once("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.once("error", fail);
    req.end(body);
  });
}

/** Polls with single requests until one is answered 200; the time from `since` to then. */
async function untilFirstAnswer(port: number, since: number, child: ChildProcess): Promise<number> {
  const agent = new Agent({ keepAlive: false });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error("server exited before answering");
      const status = await post(agent, port).catch(() => 0);
      if (status === 200) return performance.now() - since;
      if (Date.now() > deadline) throw new Error(`no 200 from port ${port} within 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    agent.destroy();
  }
}

async function startBaseline(): Promise<Server & { startupMs: number }> {
  const port = await freePort();
  const since = performance.now();
  const child = spawn(process.execPath, ["-e", BASELINE_SERVER], { env: { ...process.env, PORT: String(port), BODY: RESPONSE_BODY }, stdio: "ignore" });
  const startupMs = await untilFirstAnswer(port, since, child);
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  return { port, process: child, stop, startupMs };
}

async function startPrism(env: Record<string, string> = {}): Promise<RunningMock & { startupMs: number }> {
  const since = performance.now();
  // Prism inherits this process's environment.
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const mock = await startMock({ port: 0, logLevel: "error", stdio: "ignore", loopbackOnly: true }).finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return Object.assign(mock, { startupMs: await untilFirstAnswer(mock.port, since, mock.process) });
}

interface Load {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** `total` POSTs over `concurrency` keep-alive connections, after a short warm-up. */
async function load(port: number, total: number, concurrency: number, path = PATH, body = REQUEST_BODY): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const run = async (count: number, latencies?: number[]) => {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          const t = performance.now();
          const status = await post(agent, port, path, body);
          if (status !== 200) throw new Error(`expected 200, got ${status}`);
          latencies?.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    await run(Math.min(500, total));
    const latencies: number[] = [];
    const t0 = performance.now();
    await run(total, latencies);
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      requestsPerSecond: total / seconds,
      p50Ms: latencies[Math.floor(latencies.length * 0.5)],
      p99Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))],
    };
  } finally {
    agent.destroy();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (v: number) => `${Math.round(v).toLocaleString("en-US")} ms`;
const fixed = (v: number, digits = 1) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Other work on the machine skews both servers alike, but it is worth knowing.
  const loadBefore = loadavg()[0].toFixed(2);
  console.log(`Benchmarking the mock: ${options.runs} start-ups, then ${options.runs} rounds of ${options.requests} requests over ${options.concurrency} connections...`);

  const prismStartups: number[] = [];
  const baselineStartups: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const baseline = await startBaseline();
    baselineStartups.push(baseline.startupMs);
    await baseline.stop();
    const mock = await startPrism();
    prismStartups.push(mock.startupMs);
    await mock.stop();
  }

  // Throughput: both servers up (an idle one costs nothing), loaded one at a time and in
  // alternation, so a burst of other work on the machine hits both alike.
  const baseline = await startBaseline();
  const mock = await startPrism().catch(async (error) => {
    await baseline.stop();
    throw error;
  });
  const rounds: { mock: Load; baseline: Load }[] = [];
  try {
    for (let i = 0; i < options.runs; i++) {
      const baselineRound = await load(baseline.port, options.requests, options.concurrency);
      rounds.push({ baseline: baselineRound, mock: await load(mock.port, options.requests, options.concurrency) });
    }
  } finally {
    await Promise.all([baseline.stop(), mock.stop()]);
  }
  const pick = (side: "mock" | "baseline"): Load => ({
    requestsPerSecond: median(rounds.map((r) => r[side].requestsPerSecond)),
    p50Ms: median(rounds.map((r) => r[side].p50Ms)),
    p99Ms: median(rounds.map((r) => r[side].p99Ms)),
  });
  const mockLoad = pick("mock");
  const baselineLoad = pick("baseline");
  const throughputRatio = median(rounds.map((r) => r.mock.requestsPerSecond / r.baseline.requestsPerSecond));
  const roundsText = rounds.map((r) => `${Math.round(r.mock.requestsPerSecond)} / ${Math.round(r.baseline.requestsPerSecond)}`).join(", ");

  // Pay with the example's https://www.example.com notification URL, which loopbackOnly refuses:
  // refused before any TLS set-up (now) against refused after it (before), in alternation.
  const early = await startPrism();
  const late = await startPrism({ ANTOM_LOOPBACK_LATE_REFUSAL: "1" }).catch(async (error) => {
    await early.stop();
    throw error;
  });
  const payRounds: { early: Load; late: Load }[] = [];
  try {
    for (let i = 0; i < options.runs; i++) {
      const lateRound = await load(late.port, options.requests, options.concurrency, PAY_PATH, PAY_BODY);
      payRounds.push({ late: lateRound, early: await load(early.port, options.requests, options.concurrency, PAY_PATH, PAY_BODY) });
    }
  } finally {
    await Promise.all([early.stop(), late.stop()]);
  }
  const payEarly = median(payRounds.map((r) => r.early.requestsPerSecond));
  const payLate = median(payRounds.map((r) => r.late.requestsPerSecond));
  const payRatio = median(payRounds.map((r) => r.early.requestsPerSecond / r.late.requestsPerSecond));
  const payText = payRounds.map((r) => `${Math.round(r.early.requestsPerSecond)} / ${Math.round(r.late.requestsPerSecond)}`).join(", ");
  console.log(`Pay with a remote paymentNotifyUrl (req/s, refused before TLS / after TLS): ${payText}`);

  const startup = { mock: median(prismStartups), baseline: median(baselineStartups) };
  const rows = [
    ["Start-up to first answer (median)", ms(startup.mock), ms(startup.baseline), `${fixed(startup.mock / startup.baseline)}x slower`],
    ["Throughput, POST inquiryPayment", `${Math.round(mockLoad.requestsPerSecond).toLocaleString("en-US")} req/s`, `${Math.round(baselineLoad.requestsPerSecond).toLocaleString("en-US")} req/s`, `${fixed(throughputRatio, 2)} of baseline`],
    ["Latency p50 under that load", `${fixed(mockLoad.p50Ms)} ms`, `${fixed(baselineLoad.p50Ms)} ms`, `${fixed(mockLoad.p50Ms / baselineLoad.p50Ms)}x`],
    ["Latency p99 under that load", `${fixed(mockLoad.p99Ms)} ms`, `${fixed(baselineLoad.p99Ms)} ms`, `${fixed(mockLoad.p99Ms / baselineLoad.p99Ms)}x`],
  ];
  const table = [
    "| Measure | Prism mock | Baseline (bare node:http) | Ratio |",
    "|---|---:|---:|---:|",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
  console.log(`\n${table}\n`);
  console.log(`Start-up runs (ms): mock ${prismStartups.map(Math.round).join(", ")}; baseline ${baselineStartups.map(Math.round).join(", ")}`);
  console.log(`Throughput rounds (req/s, mock / baseline): ${roundsText}`);

  if (!options.write) return;
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${osType()} ${release()}, Node ${process.versions.node}`;
  const doc = `# Benchmarks

How fast the Prism mock server (\`npm start\`, \`npm run mock\`) starts and answers. Each figure
comes with a baseline measured in the same run, a bare \`node:http\` server in its own process
answering the same JSON, so compare the ratios, not the absolute numbers, between machines.

Measured with:

\`\`\`sh
npm run bench:mock -- --runs ${options.runs} --requests ${options.requests} --concurrency ${options.concurrency}
\`\`\`

Machine: ${machine}.
Load average when the run began: ${loadBefore}. Date: ${new Date().toISOString().slice(0, 10)}.

${table}

- **Start-up** is the time from spawning the server to its first \`200\` answer to
  \`POST ${PATH}\`, median of ${options.runs} runs (mock runs: ${prismStartups.map(Math.round).join(", ")} ms).
  Prism spends it loading and resolving \`generated/openapi.yaml\`; the test suite pays it once,
  in its global setup.
- **Throughput** is ${options.requests.toLocaleString("en-US")} \`POST ${PATH}\` requests (the three signing
  headers, the \`byPaymentId\` example as body, the default answer) over ${options.concurrency} keep-alive
  connections from one client process, after a 500-request warm-up; ${options.runs} rounds, each loading
  the baseline then the mock, medians shown (the ratio is the median of the rounds' ratios;
  rounds in req/s, mock / baseline: ${roundsText}).
  Prism validates each request and picks the example; the baseline does neither. The client
  is a single Node process on the same ${cpus().length} cores, so the baseline's figure is partly the
  client's own limit: the real gap is wider than the ratio says.
- The mock runs with \`-v error\`, as in the test suite. \`npm start\` uses \`-v warn\`, which adds
  nothing for successful requests (Prism logs those at \`info\`).

## Refusing remote notifications before TLS

A pay whose \`paymentNotifyUrl\` is not on this machine (the contract's examples use
\`https://www.example.com\`) makes Prism POST two notifications that \`loopbackOnly\` refuses.
They are now refused in \`tls.connect\`, before any TLS context is built; before, the refusal
came after it. Throughput of \`POST ${PAY_PATH}\` (the \`rawCard\` example), same load as above,
the two mocks loaded in alternation (rounds in req/s, early / late: ${payText}):

| Refusal | Throughput (median) |
|---|---:|
| Before TLS set-up (now) | ${Math.round(payEarly).toLocaleString("en-US")} req/s |
| After TLS set-up (before; \`ANTOM_LOOPBACK_LATE_REFUSAL=1\`) | ${Math.round(payLate).toLocaleString("en-US")} req/s |
| Ratio | ${fixed(payRatio, 2)} |

The launcher shows each refused host once instead of Prism's two error lines per pay.

Run \`npm run bench\` again after changing the mock set-up, the sandbox or upgrading Prism: it
runs \`npm run bench:mock\` (this part), \`npm run bench:sandbox\` and \`npm run bench:client\`
(their sections) with their defaults. Each rewrites its own part of this file (\`--no-write\`
only prints the table) and keeps the others, such as the validation section that
\`npm run bench:validate\` writes.
`;
  const file = resolve(root, "docs", "benchmarks.md");
  // The other sections belong to other benchmarks (bench/validate.ts, bench/sandbox.ts,
  // bench/client.ts): carry each over as it is, in the order found.
  const previous = existsSync(file) ? readFileSync(file, "utf8") : "";
  const kept = [...previous.matchAll(/<!-- ([a-z-]+):start -->[\s\S]*?<!-- \1:end -->/g)].map((m) => m[0]);
  writeFileSync(file, kept.length > 0 ? `${doc}\n${kept.join("\n\n")}\n` : doc);
  console.log("Wrote docs/benchmarks.md");
}

await main().catch((error) => {
  console.error(String(error?.message ?? error));
  process.exit(1);
});
