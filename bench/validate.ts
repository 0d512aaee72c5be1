// How fast the validation engine checks payloads, against a baseline measured in the same run:
// a JSON round trip (parse + stringify) of the same payload, the least any consumer does with it.
//
//   npm run bench:validate -- --seconds 2
// It writes its table into docs/benchmarks.md, between markers, unless given --no-write.
import { writeSection } from "./sections.js";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { contract } from "../src/core/contract.js";
import { validate } from "../src/core/validate.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "2" }, "no-write": { type: "boolean", default: false } } });
const seconds = Number(values.seconds);
if (!(seconds > 0 && seconds <= 60)) throw new Error("--seconds must be a number of seconds between 0 and 60");

function example(operationId: string, direction: "request" | "response", name: string): unknown {
  for (const items of [contract().paths, contract().webhooks]) {
    for (const item of Object.values<any>(items)) {
      if (item.post.operationId !== operationId) continue;
      const media = direction === "request" ? item.post.requestBody.content["application/json"] : item.post.responses["200"].content["application/json"];
      return media.examples[name].value;
    }
  }
  throw new Error(`no example ${operationId} ${direction} ${name}`);
}

/** Operations per second of `fn`, run for a bounded time after a warm-up. */
function rate(fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn();
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 500; i++) fn();
    count += 500;
  }
  return count / seconds;
}

const cases = [
  { kind: "pay.request", mode: "strict" as const, payload: example("pay", "request", "rawCard") },
  { kind: "pay.response", mode: "tolerant" as const, payload: example("pay", "response", "successManualCapture") },
  { kind: "notifyPayment.request", mode: "tolerant" as const, payload: example("notifyPayment", "request", "authorizationSuccess") },
];

const rows = ["| Payload | Mode | validate() per s | JSON round trip per s (baseline) | Ratio |", "|---|---|---:|---:|---:|"];
for (const c of cases) {
  const text = JSON.stringify(c.payload);
  validate(c.kind, c.payload, { mode: c.mode }); // compile once, outside the measurement
  const validations = rate(() => void validate(c.kind, c.payload, { mode: c.mode }));
  const baseline = rate(() => void JSON.stringify(JSON.parse(text)));
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  rows.push(`| ${c.kind} | ${c.mode} | ${fmt(validations)} | ${fmt(baseline)} | ${(validations / baseline).toFixed(2)} |`);
}
console.log(rows.join("\n"));

if (!values["no-write"]) {
  const section = [
    "## Validation engine",
    "",
    "How many payloads per second `validate()` (src/core/validate.ts) checks, against a baseline",
    "measured in the same run: a JSON round trip (`JSON.parse` then `JSON.stringify`) of the same",
    "payload. Validators are compiled once, before measuring.",
    "",
    "```sh",
    `npm run bench:validate -- --seconds ${seconds}`,
    "```",
    "",
    ...rows,
    "",
    "A ratio above 1 means validating a payload costs less than parsing and re-serialising it.",
  ].join("\n");
  writeSection("validation", section);
}
