// What the client adds per call, against a hand-written floor measured in the same run: the
// least any correct caller does (node:crypto sign, fetch, read the answer, JSON.parse; with
// verification, also node:crypto verify), against the same local server in its own process.
//
//   npm run bench:client -- --calls 2000 --rounds 5
// It writes its table into docs/benchmarks.md, between markers, unless given --no-write.
import { writeSection } from "./sections.js";
import { spawn } from "node:child_process";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { contract } from "../src/core/contract.js";
import { createAntomClient } from "../src/client/client.js";
import { freePort } from "../scripts/mock.js";

const { values } = parseArgs({
  options: { calls: { type: "string", default: "2000" }, rounds: { type: "string", default: "5" }, "no-write": { type: "boolean", default: false } },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
if (!(calls >= 100 && rounds >= 1)) throw new Error("--calls must be at least 100 and --rounds at least 1");

const CLIENT_ID = "BENCH_CLIENT";
const PATH = "/ams/api/v1/payments/pay";
const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
const antom = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pay = contract().paths["/v1/payments/pay"].post;
const requestBody = pay.requestBody.content["application/json"].examples.rawCard.value;
const answer = JSON.stringify(pay.responses["200"].content["application/json"].examples.success.value);
// The answer is always the same, so it is signed once, here.
const RESPONSE_TIME = "2026-12-04T08:00:00+00:00";
const answerSignature = sign("sha256", Buffer.from(`POST ${PATH}\n${CLIENT_ID}.${RESPONSE_TIME}.${answer}`), antom.privateKey).toString("base64");

const SERVER = `
const body = process.env.BODY;
const headers = { "content-type": "application/json; charset=UTF-8", "response-time": process.env.TIME, signature: "algorithm=RSA256,keyVersion=1,signature=" + encodeURIComponent(process.env.SIG), "content-length": Buffer.byteLength(body) };
require("node:http").createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, headers).end(body));
}).listen(Number(process.env.PORT), "127.0.0.1", () => process.send && process.send("ready"));
`;

async function startServer(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["-e", SERVER], { env: { ...process.env, PORT: String(port), BODY: answer, TIME: RESPONSE_TIME, SIG: answerSignature }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  await new Promise<void>((ready) => child.once("message", () => ready()));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** The floor: what any correct caller must do for one call. */
async function floor(baseUrl: string, withVerify: boolean): Promise<unknown> {
  const body = JSON.stringify(requestBody);
  const time = String(Date.now());
  const signature = sign("sha256", Buffer.from(`POST ${PATH}\n${CLIENT_ID}.${time}.${body}`), merchant.privateKey).toString("base64");
  const response = await fetch(`${baseUrl}${PATH}`, {
    method: "POST",
    headers: { "Content-Type": "application/json; charset=UTF-8", "Client-Id": CLIENT_ID, "Request-Time": time, Signature: `algorithm=RSA256,keyVersion=1,signature=${encodeURIComponent(signature)}` },
    body,
  });
  const text = await response.text();
  if (withVerify) {
    const header = response.headers.get("signature")!;
    const value = decodeURIComponent(header.slice(header.indexOf("signature=") + 10));
    const content = Buffer.from(`POST ${PATH}\n${CLIENT_ID}.${response.headers.get("response-time")}.${text}`);
    if (!verify("sha256", content, antom.publicKey, Buffer.from(value, "base64"))) throw new Error("floor: signature does not verify");
  }
  return JSON.parse(text);
}

/** Microseconds per call, `count` calls in sequence. */
async function perCall(fn: () => Promise<unknown>, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await fn();
  return ((performance.now() - started) * 1000) / count;
}

/** Blocks of this many calls alternate between floor and client; each pair gives one ratio. */
const BLOCK = 50;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const verifying = createAntomClient({ baseUrl: server.url, clientId: CLIENT_ID, privateKey: merchant.privateKey, antomPublicKey: antom.publicKey });
    const plain = createAntomClient({ baseUrl: server.url, clientId: CLIENT_ID, privateKey: merchant.privateKey });
    const check = await verifying.pay(requestBody);
    if (check.verification !== "verified" || check.resultStatus !== "S") throw new Error("the client did not verify the bench answer");
    const cases = [
      { name: "without verification", floor: () => floor(server.url, false), client: () => plain.pay(requestBody) },
      { name: "with verification", floor: () => floor(server.url, true), client: () => verifying.pay(requestBody) },
    ];
    // Warm-up, then rounds in alternation so other work on the machine hits both sides alike.
    for (const c of cases) for (let i = 0; i < 300; i++) await c.floor(), await c.client();
    const rows = ["| Call (pay, 2048-bit RSA) | Client µs/call | Floor µs/call (node:crypto + fetch + JSON.parse) | Ratio (median of rounds) |", "|---|---:|---:|---:|"];
    const summary: string[] = [];
    for (const c of cases) {
      const ratios: number[] = [];
      const clientTimes: number[] = [];
      const floorTimes: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // Short alternating blocks: a burst of other work on the machine hits both sides alike,
        // and the median of the blocks' ratios ignores the blocks it hit unevenly.
        const blockRatios: number[] = [];
        const f: number[] = [];
        const k: number[] = [];
        for (let b = 0; b < calls / BLOCK; b++) {
          const first = b % 2 === 0;
          const a = await perCall(first ? c.floor : c.client, BLOCK);
          const z = await perCall(first ? c.client : c.floor, BLOCK);
          const [fb, kb] = first ? [a, z] : [z, a];
          f.push(fb);
          k.push(kb);
          blockRatios.push(kb / fb);
        }
        floorTimes.push(median(f));
        clientTimes.push(median(k));
        ratios.push(median(blockRatios));
      }
      rows.push(`| ${c.name} | ${Math.round(median(clientTimes))} | ${Math.round(median(floorTimes))} | ${median(ratios).toFixed(3)} |`);
      summary.push(`${c.name}: rounds ${ratios.map((r) => r.toFixed(3)).join(", ")}`);
    }
    console.log(rows.join("\n"));
    console.log(summary.join("\n"));
    if (values["no-write"]) return;
    const section = [
      "## Client overhead",
      "",
      "Time per `pay` call of the client (`createAntomClient`), against a floor measured in the same",
      "run: the least a correct caller does by hand (node:crypto `sign`, `fetch`, read the answer,",
      "`JSON.parse`; with verification also node:crypto `verify`). Both call the same local server in",
      "its own process, one call at a time, after a 300-call warm-up, in blocks of 50 calls that",
      "alternate floor and client; a round's ratio is the median of its blocks' ratios.",
      "The client also checks the answer against the tolerant contract, bounds its size and its time.",
      "",
      "```sh",
      `npm run bench:client -- --calls ${calls} --rounds ${rounds}`,
      "```",
      "",
      ...rows,
      "",
      ...summary.map((s) => `- ${s}`),
    ].join("\n");
    writeSection("client", section);
  } finally {
    server.stop();
  }
}

await main().catch((error) => {
  console.error(String(error?.stack ?? error));
  process.exit(1);
});
