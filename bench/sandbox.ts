// `npm run bench` (second part): throughput and latency of the sandbox's POST pay, against two
// baselines measured in the same run:
//   - the Prism mock's POST /v1/payments/pay (validates the request, answers an example);
//   - the RSA floor: a bare node:http server that verifies the request's signature and signs its
//     answer, and does nothing else. No server that checks and signs can beat it on one core.
// Every server runs in a process of its own; autocannon loads one at a time, in rounds.
// Writes its section of docs/benchmarks.md, between <!-- sandbox:start --> and <!-- sandbox:end -->.
//
//   npm run bench:sandbox -- [--seconds 6] [--rounds 3] [--connections 10] [--no-write] [--profile DIR] [--notify]
// --notify gives every pay a paymentNotifyUrl at a loopback receiver (its own process), so the
// sandbox and Prism also send notifications while loaded; the figures then go to the console only.
// --profile writes a CPU profile of the sandbox process (.cpuprofile, for Chrome DevTools) to DIR.
import { spawn } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startMock, type RunningMock } from "../scripts/mock.js";
import { awaitOutput, cleanUp, fixed, isSuccess, load, median, payTemplate, preflight, rate, SANDBOX_PATH, signPool, runBenchmark, startSandboxProcess, stopChild, type Load, type Target } from "./load.js";
import { writeSection } from "./sections.js";

const PRISM_PATH = "/v1/payments/pay";
/** Signed bodies that may be reused: for Prism and the floor, which keep no state. */
const REUSABLE_POOL = 2_000;
/** Headroom of a sandbox pool over the best the floor has managed so far, so no paymentRequestId repeats. */
const POOL_HEADROOM = 1.5;
const WARM_UP_SECONDS = 3;

/** The sandbox's pay: no paymentNotifyUrl, or with --notify one at a loopback receiver. */
let PAY_TEMPLATE = payTemplate();

interface Options {
  seconds: number;
  rounds: number;
  connections: number;
  write: boolean;
  profile?: string;
  notify: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { seconds: { type: "string" }, rounds: { type: "string" }, connections: { type: "string" }, "no-write": { type: "boolean" }, profile: { type: "string" }, notify: { type: "boolean" } },
  });
  const int = (name: "seconds" | "rounds" | "connections", fallback: number, min: number, max: number) => {
    const value = values[name] === undefined ? fallback : Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  return { seconds: int("seconds", 6, 1, 120), rounds: int("rounds", 3, 1, 20), connections: int("connections", 10, 1, 256), write: !values["no-write"], profile: values.profile && resolve(values.profile), notify: values.notify ?? false };
}

// ---- the baselines --------------------------------------------------------------------------

// The floor: verify the request's signature with the merchant's key, sign a fixed answer with
// Antom's key, and nothing else (no JSON parsing, no validation, no state).
const FLOOR_SERVER = `
const http = require("node:http");
const { createPrivateKey, createPublicKey, sign, verify } = require("node:crypto");
const merchantKey = createPublicKey(process.env.MERCHANT_PUBLIC_KEY);
const antomKey = createPrivateKey(process.env.ANTOM_PRIVATE_KEY);
const ok = process.env.ANSWER;
const refused = '{"result":{"resultCode":"INVALID_SIGNATURE","resultStatus":"F","resultMessage":"the signature does not verify"}}';
http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const clientId = req.headers["client-id"] || "";
    const header = req.headers["signature"] || "";
    const at = header.indexOf("signature=");
    const signature = at < 0 ? "" : decodeURIComponent(header.slice(at + 10));
    const content = Buffer.concat([Buffer.from("POST " + req.url + "\\n" + clientId + "." + req.headers["request-time"] + "."), ...chunks]);
    const body = verify("sha256", content, merchantKey, Buffer.from(signature, "base64")) ? ok : refused;
    const time = new Date().toISOString();
    const answer = sign("sha256", Buffer.from("POST " + req.url + "\\n" + clientId + "." + time + "." + body), antomKey).toString("base64");
    res.writeHead(200, { "Content-Type": "application/json; charset=UTF-8", "client-id": clientId, "response-time": time, signature: "algorithm=RSA256,keyVersion=1,signature=" + encodeURIComponent(answer) });
    res.end(body);
  });
}).listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
`;

async function startFloor(merchantPublicKeyPem: string, antomPrivateKeyPem: string, answer: string): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ["-e", FLOOR_SERVER], {
    env: { ...process.env, PORT: String(port), MERCHANT_PUBLIC_KEY: merchantPublicKeyPem, ANTOM_PRIVATE_KEY: antomPrivateKeyPem, ANSWER: answer },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await awaitOutput(child, /listening/, "the RSA floor server");
  return {
    name: "RSA floor",
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    path: SANDBOX_PATH,
    accepts: (status, body, headers) => status === 200 && isSuccess(body) && typeof headers.signature === "string",
    stop: () => stopChild(child),
  };
}

// A notification receiver that acknowledges everything, for --notify.
const RECEIVER = `
require("node:http").createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end('{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}'));
}).listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
`;

async function startReceiver(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["-e", RECEIVER], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  await awaitOutput(child, /listening/, "the notification receiver");
  return { url: `http://127.0.0.1:${port}/antom/notify`, stop: () => stopChild(child) };
}

async function startPrism(): Promise<Target> {
  const mock: RunningMock = await startMock({ port: 0, logLevel: "error", stdio: "ignore", loopbackOnly: true });
  return { name: "Prism mock", pid: mock.process.pid, url: mock.baseUrl, path: PRISM_PATH, accepts: (status) => status === 200, stop: () => mock.stop() };
}

// ---- report -----------------------------------------------------------------------------------

const mark = (ok: boolean) => (ok ? "met" : "**not met**");

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadBefore = loadavg()[0].toFixed(2);
  const keysDir = mkdtempSync(join(tmpdir(), "antom-bench-sandbox-"));
  const stops: (() => Promise<void>)[] = [];
  try {
    console.log(
      `Benchmarking the sandbox's POST pay against Prism and the RSA floor: ${options.rounds} rounds of ${options.seconds} s per server over ${options.connections} connections, ${options.notify ? "with a paymentNotifyUrl at a loopback receiver" : "no paymentNotifyUrl"}...`,
    );
    const sandbox = await startSandboxProcess(keysDir, { profileDir: options.profile });
    stops.push(sandbox.stop);
    const merchantPrivatePem = readFileSync(join(keysDir, "merchant-private-key.pem"), "utf8");
    const merchantPublicPem = createPublicKey(createPrivateKey(merchantPrivatePem)).export({ type: "spki", format: "pem" }).toString();
    const antomPrivatePem = readFileSync(join(keysDir, "antom-private-key.pem"), "utf8");
    const antomPublicPem = createPublicKey(createPrivateKey(antomPrivatePem)).export({ type: "spki", format: "pem" }).toString();

    // A receiver for Prism's callbacks (the baseline: Prism's pay fires notifyPayment and
    // notifyCapture callbacks when the request names a paymentNotifyUrl), and for --notify.
    const receiver = await startReceiver();
    stops.push(receiver.stop);
    if (options.notify) PAY_TEMPLATE = payTemplate(receiver.url);
    const reusable = await signPool(REUSABLE_POOL, "BENCH_REUSABLE_", SANDBOX_PATH, merchantPrivatePem, PAY_TEMPLATE);
    const prismPool = await signPool(REUSABLE_POOL, "BENCH_PRISM_", PRISM_PATH, merchantPrivatePem, PAY_TEMPLATE);
    const prismCallbackPool = await signPool(REUSABLE_POOL, "BENCH_PRISM_CB_", PRISM_PATH, merchantPrivatePem, payTemplate(receiver.url));
    // The floor answers with the very bytes the sandbox answers, so both send the same amount.
    const answer = await preflight(sandbox, reusable[0], antomPublicPem, true);
    await sandbox.reset();
    const floor = await startFloor(merchantPublicPem, antomPrivatePem, answer);
    stops.push(floor.stop);
    await preflight(floor, reusable[0], antomPublicPem, true);
    const prism = await startPrism();
    stops.push(prism.stop);
    await preflight(prism, prismPool[0], antomPublicPem, false);

    // Warm-up: a few seconds each, so the JIT has compiled the hot paths (Prism needs the most),
    // the sandbox with fresh paymentRequestIds; then the sandbox is reset.
    // The sandbox cannot answer faster than the floor; the machine may be busier when the floor runs.
    let bestFloor = (await load(floor, reusable, WARM_UP_SECONDS, options.connections)).requestsPerSecond;
    await load(sandbox, await signPool(WARM_UP_SECONDS * 4_000, "BENCH_WARM_", SANDBOX_PATH, merchantPrivatePem, PAY_TEMPLATE), WARM_UP_SECONDS, options.connections);
    await load(prism, prismPool, WARM_UP_SECONDS, options.connections);
    await load(prism, prismCallbackPool, WARM_UP_SECONDS, options.connections);
    await sandbox.reset();

    const rounds: { sandbox: Load; floor: Load; prism: Load; prismCallbacks: Load }[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const floorLoad = await load(floor, reusable, options.seconds, options.connections);
      // Fresh paymentRequestIds for every sandbox request: more than the floor's best, which the sandbox cannot beat.
      bestFloor = Math.max(bestFloor, floorLoad.requestsPerSecond);
      const pool = await signPool(Math.ceil(bestFloor * options.seconds * POOL_HEADROOM) + 1_000, `BENCH_R${round}_`, SANDBOX_PATH, merchantPrivatePem, PAY_TEMPLATE);
      await new Promise((r) => setTimeout(r, 500));
      const sandboxLoad = await load(sandbox, pool, options.seconds, options.connections);
      await sandbox.reset();
      const prismLoad = await load(prism, prismPool, options.seconds, options.connections);
      const prismCallbacksLoad = await load(prism, prismCallbackPool, options.seconds, options.connections);
      rounds.push({ sandbox: sandboxLoad, floor: floorLoad, prism: prismLoad, prismCallbacks: prismCallbacksLoad });
      console.log(
        `round ${round + 1}: sandbox ${Math.round(sandboxLoad.requestsPerSecond)} req/s (p99 ${sandboxLoad.p99Ms} ms), RSA floor ${Math.round(floorLoad.requestsPerSecond)} req/s, Prism ${Math.round(prismLoad.requestsPerSecond)} req/s, Prism with callbacks ${Math.round(prismCallbacksLoad.requestsPerSecond)} req/s`,
      );
    }
    for (const r of rounds) {
      for (const [name, l] of Object.entries(r)) {
        if (l.bad > 0) throw new Error(`${name}: ${l.bad} of ${l.total} answers were errors or not the expected answer; the figures would mean nothing`);
      }
      if (r.sandbox.reused > 0) throw new Error(`the sandbox's pool of signed requests ran out (${r.sandbox.reused} repeats); the figures would include idempotent replays`);
    }

    const pick = (side: "sandbox" | "floor" | "prism" | "prismCallbacks") => ({
      cpuMsPerRequest: rounds.every((r) => r[side].cpuMsPerRequest !== undefined) ? median(rounds.map((r) => r[side].cpuMsPerRequest!)) : undefined,
      requestsPerSecond: median(rounds.map((r) => r[side].requestsPerSecond)),
      p50Ms: median(rounds.map((r) => r[side].p50Ms)),
      p99Ms: median(rounds.map((r) => r[side].p99Ms)),
    });
    const s = pick("sandbox");
    const f = pick("floor");
    const p = pick("prism");
    const pc = pick("prismCallbacks");
    const overPrism = median(rounds.map((r) => r.sandbox.requestsPerSecond / r.prism.requestsPerSecond));
    const overPrismCallbacks = median(rounds.map((r) => r.sandbox.requestsPerSecond / r.prismCallbacks.requestsPerSecond));
    const overFloor = median(rounds.map((r) => r.sandbox.requestsPerSecond / r.floor.requestsPerSecond));
    const roundsText = rounds
      .map((r) => `${Math.round(r.sandbox.requestsPerSecond)} / ${Math.round(r.floor.requestsPerSecond)} / ${Math.round(r.prism.requestsPerSecond)} / ${Math.round(r.prismCallbacks.requestsPerSecond)}`)
      .join(", ");

    const table = [
      "| Measure | Sandbox | RSA floor (verify + sign) | Prism mock, pay with callbacks | Prism mock, pay without |",
      "|---|---:|---:|---:|---:|",
      `| Throughput, POST pay | ${rate(s.requestsPerSecond)} | ${rate(f.requestsPerSecond)} | ${rate(pc.requestsPerSecond)} | ${rate(p.requestsPerSecond)} |`,
      `| Latency p50 | ${fixed(s.p50Ms)} ms | ${fixed(f.p50Ms)} ms | ${fixed(pc.p50Ms)} ms | ${fixed(p.p50Ms)} ms |`,
      `| Latency p99 | ${fixed(s.p99Ms)} ms | ${fixed(f.p99Ms)} ms | ${fixed(pc.p99Ms)} ms | ${fixed(p.p99Ms)} ms |`,
      ...(s.cpuMsPerRequest !== undefined && f.cpuMsPerRequest !== undefined && p.cpuMsPerRequest !== undefined && pc.cpuMsPerRequest !== undefined
        ? [`| Server CPU per request | ${fixed(s.cpuMsPerRequest, 2)} ms | ${fixed(f.cpuMsPerRequest, 2)} ms | ${fixed(pc.cpuMsPerRequest, 2)} ms | ${fixed(p.cpuMsPerRequest, 2)} ms |`]
        : []),
    ].join("\n");
    const targets = [
      "| Ratio | Value | Target | |",
      "|---|---:|---:|---|",
      `| Sandbox / Prism's pay with callbacks, throughput | ${fixed(overPrismCallbacks, 2)} | at least 5 | ${mark(overPrismCallbacks >= 5)} |`,
      `| Sandbox / Prism's pay without callbacks, throughput | ${fixed(overPrism, 2)} | (for comparison) | |`,
      `| Sandbox / RSA floor, throughput | ${fixed(overFloor, 2)} | at least 0.7 | ${mark(overFloor >= 0.7)} |`,
      `| Sandbox p99 | ${fixed(s.p99Ms)} ms | under 10 ms | ${mark(s.p99Ms < 10)} |`,
      ...(s.cpuMsPerRequest !== undefined && f.cpuMsPerRequest !== undefined && p.cpuMsPerRequest !== undefined
        ? [
            `| RSA floor / sandbox, server CPU per request | ${fixed(f.cpuMsPerRequest / s.cpuMsPerRequest, 2)} | (0.7 would match the throughput target) | |`,
            `| Prism / sandbox, server CPU per request | ${fixed(p.cpuMsPerRequest / s.cpuMsPerRequest, 2)} | (5 would match the throughput target) | |`,
          ]
        : []),
    ].join("\n");
    console.log(`\n${table}\n\n${targets}\n`);
    console.log(`Rounds (req/s, sandbox / RSA floor / Prism / Prism with callbacks): ${roundsText}`);
    if (!options.write || options.notify) return;

    const cpu = cpus();
    const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${osType()} ${release()}, Node ${process.versions.node}`;
    const section = `
## The sandbox: POST pay

How many card payments per second the sandbox (\`npm run sandbox\`, docs/sandbox.md) takes, each a
real pay: the signature verified with the merchant's key, the body validated against the
contract, the payment and its automatic capture stored, the answer signed with the sandbox's
key. Two baselines are measured in the same run, each server in a process of its own:

- the **RSA floor**, a bare \`node:http\` server that verifies the request's signature and signs a
  fixed answer (the sandbox's own answer bytes) and does nothing else. RSA-2048 signing alone
  caps one core at a few thousand answers per second, so a signing server cannot go past this;
- the **Prism mock**'s \`POST ${PRISM_PATH}\` (\`-v error\`), which validates the request and
  answers an example, verifying and signing nothing; measured twice: with a \`paymentNotifyUrl\`
  at a loopback receiver, so it fires its notifyPayment and notifyCapture callbacks as a pay
  that names one does (the baseline the target is set against), and without one.

\`\`\`sh
npm run bench:sandbox -- --seconds ${options.seconds} --rounds ${options.rounds} --connections ${options.connections}
\`\`\`

Machine: ${machine}.
Load average when the run began: ${loadBefore}. Date: ${new Date().toISOString().slice(0, 10)}.

${table}

${targets}

- Load: [autocannon](https://github.com/mcollina/autocannon) in the benchmark's process, ${options.connections}
  keep-alive connections, ${options.seconds} s per server per round, ${options.rounds} rounds each loading the RSA floor,
  the sandbox, then Prism, after a ${WARM_UP_SECONDS}-second warm-up of each; medians shown, ratios are the
  medians of the rounds' ratios (rounds in req/s, sandbox / RSA floor / Prism / Prism with callbacks: ${roundsText}).
- Every request is a pay of 10.00 USD with the test card 4054695723100768 (automatic capture).
  The sandbox's has no \`paymentNotifyUrl\`, so it sends no notification: what is measured is the
  pay itself (verify, validate, store, sign). Each request
  to the sandbox has a paymentRequestId of its own: the bodies are signed with the merchant's
  key before each round, on worker threads, so signing costs the client nothing while it loads;
  the run fails if the pool runs out (a repeated paymentRequestId would be an idempotent
  replay). The sandbox is reset between rounds. Prism and the floor keep no state and get
  bodies from a pool of ${REUSABLE_POOL.toLocaleString("en-US")}. \`--notify\` adds a \`paymentNotifyUrl\` at a loopback
  receiver in its own process, so the sandbox and Prism send notifications while loaded; that
  run only prints its figures.
- Every answer is checked while loading: the sandbox's and the floor's must be \`S\` / \`SUCCESS\`
  and signed, Prism's HTTP 200; the run fails otherwise. Before loading, one answer of each
  signing server is verified with the sandbox's public key.
- **Server CPU per request** is the user plus system CPU time of the server's process (from
  \`/proc\`, 10 ms ticks) over the requests it answered in the round: what each answer costs the
  server, whatever else the machine is doing. The load generator shares the ${cpu.length} cores with the
  server it loads, and other work on the machine lowers every throughput figure; the CPU cost
  and the ratios travel better. Autocannon latencies are whole milliseconds. \`--profile DIR\`
  writes a CPU profile of the sandbox's process (open it in Chrome DevTools) to see where the
  time goes.
`;
    writeSection("sandbox", section);
  } finally {
    await cleanUp(stops, keysDir);
  }
}

await runBenchmark(main);
