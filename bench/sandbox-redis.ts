// `npm run bench` (third part): the sandbox on its shared store. In the same run, POST pay on
//   - one instance on memory (the default store: the baseline);
//   - one instance on Redis;
//   - two instances on the same Redis, loaded at once, half the connections each;
// with throughput, p99, and CPU per request of the sandbox processes and of redis-server.
// Needs a Redis: REDIS_URL, or Debian's redis-server on PATH (started here, memory only, on a
// free loopback port); without either it says so and measures nothing.
// Writes its section of docs/benchmarks.md, between <!-- sandbox-redis:start --> and <!-- sandbox-redis:end -->.
//
//   npm run bench:sandbox-redis -- [--seconds 6] [--rounds 3] [--connections 10] [--no-write]
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../scripts/mock.js";
import { cleanUp, cpuMs, fixed, load, median, payTemplate, preflight, rate, SANDBOX_PATH, signPool, runBenchmark, startSandboxProcess, stopChild, type Load, type Signed, type Target } from "./load.js";
import { writeSection } from "./sections.js";

const PAY = payTemplate();
const WARM_UP_SECONDS = 3;
/** Headroom of a pool over the best rate seen so far, so no paymentRequestId repeats. */
const POOL_HEADROOM = 1.5;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({ args: argv, strict: true, options: { seconds: { type: "string" }, rounds: { type: "string" }, connections: { type: "string" }, "no-write": { type: "boolean" } } });
  const int = (name: "seconds" | "rounds" | "connections", fallback: number, min: number, max: number) => {
    const value = values[name] === undefined ? fallback : Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const connections = int("connections", 10, 2, 256);
  if (connections % 2) throw new Error("--connections must be even: the two instances get half each");
  return { seconds: int("seconds", 6, 1, 120), rounds: int("rounds", 3, 1, 20), connections, write: !values["no-write"] };
}

/** REDIS_URL, or a redis-server of our own on a free loopback port (its pid, for its CPU time). */
async function redis(): Promise<{ url: string; pid?: number; version: string; stop(): Promise<void> } | undefined> {
  const version = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  const shown = /v=(\S+)/.exec(version.stdout ?? "")?.[1] ?? "unknown version";
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, version: `${shown} (REDIS_URL)`, stop: async () => {} };
  if (version.error) return undefined;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "antom-bench-redis-"));
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((done, fail) => {
    let seen = "";
    const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${seen}`)), 10_000);
    child.stdout!.on("data", (c: Buffer) => {
      seen += c.toString("utf8");
      if (/Ready to accept connections/.test(seen)) {
        clearTimeout(timer);
        done();
      }
    });
    child.once("exit", () => fail(new Error(`redis-server exited:\n${seen}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}/0`,
    pid: child.pid,
    version: shown,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Measured {
  requestsPerSecond: number;
  p99Ms: number;
  /** CPU of the sandbox process(es) per answered pay, ms. */
  sandboxCpuMs?: number;
  /** CPU of redis-server per answered pay, ms (when it is ours). */
  redisCpuMs?: number;
}

/** Loads the targets at once, `connections` split evenly, each with its own part of the pool. */
async function loadAll(targets: (Target & { reset(): Promise<void> })[], pool: Signed[][], seconds: number, connections: number, redisPid?: number): Promise<Measured> {
  const redisBefore = cpuMs(redisPid);
  const loads: Load[] = await Promise.all(targets.map((target, i) => load(target, pool[i], seconds, connections / targets.length)));
  const redisAfter = cpuMs(redisPid);
  for (const [i, l] of loads.entries()) {
    if (l.bad > 0) throw new Error(`${targets[i].name}: ${l.bad} of ${l.total} answers were errors or not S / SUCCESS and signed`);
    if (l.reused > 0) throw new Error(`${targets[i].name}: the pool of signed requests ran out (${l.reused} repeats)`);
  }
  const total = loads.reduce((sum, l) => sum + l.total, 0);
  const cpus = loads.map((l) => l.cpuMsPerRequest);
  return {
    requestsPerSecond: loads.reduce((sum, l) => sum + l.requestsPerSecond, 0),
    p99Ms: Math.max(...loads.map((l) => l.p99Ms)),
    sandboxCpuMs: cpus.every((c) => c !== undefined) ? loads.reduce((sum, l) => sum + l.cpuMsPerRequest! * l.total, 0) / total : undefined,
    redisCpuMs: redisBefore !== undefined && redisAfter !== undefined && total > 0 ? (redisAfter - redisBefore) / total : undefined,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const server = await redis();
  if (!server) {
    console.log("bench:sandbox-redis: no Redis (REDIS_URL is unset and redis-server is not installed; Debian: apt-get install redis-server), so the shared store is not measured.");
    return;
  }
  const loadBefore = loadavg()[0].toFixed(2);
  const keysDir = mkdtempSync(join(tmpdir(), "antom-bench-sandbox-redis-"));
  const stops: (() => Promise<void>)[] = [server.stop];
  try {
    console.log(`Benchmarking the sandbox on memory, on Redis ${server.version}, and two instances on Redis: ${options.rounds} rounds of ${options.seconds} s over ${options.connections} connections...`);
    // The memory instance starts first and makes the keys; the Redis instances share them.
    const memory = await startSandboxProcess(keysDir, { name: "sandbox on memory" });
    stops.push(memory.stop);
    const flags = ["--store", server.url];
    const [a, b] = await Promise.all([startSandboxProcess(keysDir, { name: "sandbox A on Redis", flags }), startSandboxProcess(keysDir, { name: "sandbox B on Redis", flags })]);
    stops.push(a.stop, b.stop);
    const merchantPem = readFileSync(join(keysDir, "merchant-private-key.pem"), "utf8");
    const antomPublicPem = readFileSync(join(keysDir, "antom-public-key.pem"), "utf8");
    const resetAll = () => Promise.all([memory.reset(), a.reset()]);

    const check = await signPool(3, "BENCH_CHECK_", SANDBOX_PATH, merchantPem, PAY);
    for (const [i, target] of [memory, a, b].entries()) await preflight(target, check[i], antomPublicPem, true);
    await resetAll();

    let best = 0;
    const pool = async (label: string, seconds: number) => (await signPool(Math.ceil(Math.max(best, 3_000) * seconds * POOL_HEADROOM) + 1_000, label, SANDBOX_PATH, merchantPem, PAY));
    // Warm-up: each instance, so the JIT has compiled the hot paths.
    for (const target of [memory, a, b]) {
      const warm = await loadAll([target], [await pool(`BENCH_WARM_${target.name.at(8)}_`, WARM_UP_SECONDS)], WARM_UP_SECONDS, options.connections);
      best = Math.max(best, warm.requestsPerSecond);
    }
    await resetAll();

    const rounds: { memory: Measured; one: Measured; two: Measured }[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const onMemory = await loadAll([memory], [await pool(`BENCH_M${round}_`, options.seconds)], options.seconds, options.connections);
      best = Math.max(best, onMemory.requestsPerSecond);
      const one = await loadAll([a], [await pool(`BENCH_A${round}_`, options.seconds)], options.seconds, options.connections, server.pid);
      const half = await pool(`BENCH_AB${round}_`, options.seconds);
      const two = await loadAll([a, b], [half.filter((_, i) => i % 2 === 0), half.filter((_, i) => i % 2 === 1)], options.seconds, options.connections, server.pid);
      await resetAll();
      rounds.push({ memory: onMemory, one, two });
      console.log(
        `round ${round + 1}: memory ${Math.round(onMemory.requestsPerSecond)} req/s (p99 ${onMemory.p99Ms} ms), Redis ${Math.round(one.requestsPerSecond)} req/s (p99 ${one.p99Ms} ms), two on Redis ${Math.round(two.requestsPerSecond)} req/s (p99 ${two.p99Ms} ms)`,
      );
    }

    const pick = (side: "memory" | "one" | "two") => {
      const values = rounds.map((r) => r[side]);
      const of = (key: keyof Measured) => (values.every((v) => v[key] !== undefined) ? median(values.map((v) => v[key]!)) : undefined);
      return { requestsPerSecond: of("requestsPerSecond")!, p99Ms: of("p99Ms")!, sandboxCpuMs: of("sandboxCpuMs"), redisCpuMs: of("redisCpuMs") };
    };
    const m = pick("memory");
    const one = pick("one");
    const two = pick("two");
    const redisOverMemory = median(rounds.map((r) => r.one.requestsPerSecond / r.memory.requestsPerSecond));
    const twoOverOne = median(rounds.map((r) => r.two.requestsPerSecond / r.one.requestsPerSecond));
    const cpu = (v: number | undefined) => (v === undefined ? "n/a" : `${fixed(v, 2)} ms`);
    const roundsText = rounds.map((r) => `${Math.round(r.memory.requestsPerSecond)} / ${Math.round(r.one.requestsPerSecond)} / ${Math.round(r.two.requestsPerSecond)}`).join(", ");
    const table = [
      "| Measure | One instance, memory | One instance, Redis | Two instances, one Redis |",
      "|---|---:|---:|---:|",
      `| Throughput, POST pay | ${rate(m.requestsPerSecond)} | ${rate(one.requestsPerSecond)} | ${rate(two.requestsPerSecond)} |`,
      `| Latency p99 | ${fixed(m.p99Ms)} ms | ${fixed(one.p99Ms)} ms | ${fixed(two.p99Ms)} ms |`,
      `| Sandbox CPU per pay | ${cpu(m.sandboxCpuMs)} | ${cpu(one.sandboxCpuMs)} | ${cpu(two.sandboxCpuMs)} |`,
      `| redis-server CPU per pay | | ${cpu(one.redisCpuMs)} | ${cpu(two.redisCpuMs)} |`,
    ].join("\n");
    const ratios = [
      "| Ratio | Value |",
      "|---|---:|",
      `| One instance on Redis / one on memory, throughput | ${fixed(redisOverMemory, 2)} |`,
      `| Two instances on Redis / one on Redis, throughput (scaling) | ${fixed(twoOverOne, 2)} |`,
    ].join("\n");
    console.log(`\n${table}\n\n${ratios}\n\nRounds (req/s, memory / Redis / two on Redis): ${roundsText}`);
    if (!options.write) return;

    const cores = cpus();
    const machine = `${cores.length} × ${cores[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${osType()} ${release()}, Node ${process.versions.node}`;
    writeSection(
      "sandbox-redis",
      `
## The sandbox on Redis

What the shared store costs, and what a second instance brings (docs/sandbox.md, "Several
instances on Redis"). The same signed pay as above, each with a paymentRequestId of its own,
measured in one run against:

- **one instance on memory**, the default store (the baseline);
- **one instance on Redis** (\`--store redis://...\`), Redis ${server.version} on loopback, memory only;
- **two instances on that Redis**, loaded at once, ${options.connections / 2} connections each: the scaling ratio.

\`\`\`sh
npm run bench:sandbox-redis -- --seconds ${options.seconds} --rounds ${options.rounds} --connections ${options.connections}
\`\`\`

Machine: ${machine}.
Load average when the run began: ${loadBefore}. Date: ${new Date().toISOString().slice(0, 10)}.

${table}

${ratios}

- ${options.rounds} rounds of ${options.seconds} s per setup after a ${WARM_UP_SECONDS}-second warm-up of each instance; medians
  shown, ratios are the medians of the rounds' ratios (rounds in req/s, memory / Redis / two on
  Redis: ${roundsText}). Every answer is checked to be \`S\` / \`SUCCESS\` and signed.
- Two instances' throughput is the sum of both; their p99 is the higher of the two.
- CPU per pay comes from \`/proc\` (10 ms ticks): for two instances, both processes together.
  redis-server's is shown when the benchmark started it (not with REDIS_URL).
- The load generator, the sandbox instances and redis-server share the same ${cores.length} cores. One
  instance is one JavaScript thread, which leaves cores idle while it waits for the network and
  Redis; a second instance uses them. On a machine with more cores, or with instances on
  machines of their own, the scaling ratio is higher; on a busier one, lower.
`,
    );
  } finally {
    await cleanUp(stops, keysDir);
  }
}

await runBenchmark(main);
