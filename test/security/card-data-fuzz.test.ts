// Fuzz test of the PCI rule: test card numbers and CVVs are put at every position of every
// message kind, in every wrong type and encoding, and every output channel is searched for them:
// validate() errors, Antom-format results, the client's request-validation error and its errors
// for answers (malformed 200s, HTTP errors), the notification errors, and the CLI's text, JUnit and JSON reports on stdout and in --output files.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { main } from "../../conformance/cli.js";
import { createAntomClient } from "../../src/client/client.js";
import { AntomRequestValidationError } from "../../src/client/errors.js";
import { describeErrors, toAntomResult } from "../../src/core/antom-result.js";
import { AntomNotificationError } from "../../src/core/errors.js";
import { verifyNotification } from "../../src/core/notifications.js";
import { signedHeaders } from "../../src/core/signing.js";
import { kinds, validate, type Kind } from "../../src/core/validate.js";
import { namedExamples, spec } from "../helpers/spec.js";

// Antom's published test cards (docs/test-cards.md); never real card numbers.
const PANS = ["4054695723100768", "5162770472561357", "4006055482525268", "4294097400915107"];
// A CVV that occurs nowhere in the contract, so finding it in an output is a leak, not a coincidence.
const CVV = ["7316", "8429", "6093"].find((c) => !JSON.stringify(spec).includes(c))!;

/** Every leak of a card number (more than the first 6 and last 4 digits) or of the CVV in a text. */
export function leaks(text: string): string[] {
  const found: string[] = [];
  const joined = text.replace(/([0-9])[ -](?=[0-9])/g, "$1");
  for (const pan of PANS) {
    if (joined.includes(pan.slice(0, 7))) found.push(`first 7 digits of ${pan.slice(0, 6)}...`);
    if (joined.includes(pan.slice(6, -4))) found.push(`middle digits of ${pan.slice(0, 6)}...`);
  }
  if (text.includes(CVV)) found.push("the CVV");
  return found;
}

const luhn = (d: string) =>
  [...d].reverse().reduce((sum, c, i) => {
    let n = Number(c);
    if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    return sum + n;
  }, 0) % 10 === 0;

/** The wrong types and encodings a card number (and its CVV) may arrive in. */
function forms(pan: string): [string, unknown][] {
  const card = { cardNo: pan, cvv: CVV, expiryYear: "29", expiryMonth: "12" };
  return [
    ["PAN as a string", pan],
    ["PAN as a number", Number(pan)],
    ["PAN grouped with spaces", pan.replace(/(.{4})(?=.)/g, "$1 ")],
    ["PAN in an array", [pan]],
    ["card as an object", card],
    ["card as a JSON string", JSON.stringify(card)],
    ["card double-encoded", JSON.stringify(JSON.stringify(card))],
    ["card in an array", [card]],
    ["card as a query string", `cardNo=${pan}&cvv=${CVV}`],
    ["CVV as a number", { cardNo: pan, cvv: Number(CVV) }],
    ["CVV in an array", { cardNo: pan, cvv: [CVV] }],
    ["CVV in an object", { cardNo: pan, cvv: { value: CVV } }],
    ["card in text", `declined card ${pan} with cvv=${CVV}`],
  ];
}

type Json = Record<string, any>;

function firstExample(kind: Kind): unknown {
  return namedExamples().find((e) => e.operationId === kind.operationId && e.direction === kind.direction)?.value;
}

/** Every position in a value: the root, every property and array item, and a new property on each object. */
function positions(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [path];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...positions(v, [...path, i])));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...positions(v, [...path, k]));
    out.push([...path, "cardNo"], [...path, "cvv"]);
  }
  return out;
}

function placed(example: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(example) as Json;
  let node = copy;
  for (const part of path.slice(0, -1)) node = node[part];
  node[path.at(-1)!] = value;
  return copy;
}

interface Case {
  kind: Kind;
  label: string;
  payload: unknown;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const kind of kinds()) {
    const example = firstExample(kind);
    if (example === undefined) continue;
    positions(example).forEach((path, i) => {
      const pan = PANS[i % PANS.length];
      for (const [form, value] of forms(pan)) out.push({ kind, label: `${kind.id} ${path.join(".") || "(root)"} <- ${form}`, payload: placed(example, path, value) });
    });
    const withCard = placed(example, ["cardNo"], PANS[0]);
    out.push({ kind, label: `${kind.id} body as an array`, payload: [withCard, { cvv: CVV }] });
    out.push({ kind, label: `${kind.id} body double-encoded`, payload: JSON.stringify(withCard) });
  }
  return out;
}

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 });

/** Every output the project renders for one payload, as text. */
async function outputsOf(c: Case): Promise<string[]> {
  const texts: string[] = [];
  for (const mode of ["strict", "tolerant"] as const) {
    const result = validate(c.kind.id, c.payload, { mode });
    texts.push(JSON.stringify(result), describeErrors(result.errors), JSON.stringify(toAntomResult(result) ?? null));
  }
  if (c.kind.channel === "call" && c.kind.direction === "request") {
    const client = createAntomClient({
      baseUrl: "http://127.0.0.1:9",
      clientId: "SANDBOX_FUZZ",
      privateKey: privateKey.privateKey,
      validateRequests: true,
      fetch: () => Promise.reject(new Error("nothing is sent in this test")),
    });
    const error = await (client as any)[c.kind.operationId](c.payload).catch((e: unknown) => e);
    if (error instanceof AntomRequestValidationError) texts.push(error.message, JSON.stringify(error.errors), JSON.stringify(error.result), String(error.stack));
  }
  if (c.kind.channel === "call" && c.kind.direction === "response") {
    // The same payload as Antom's answer: a 200 that is malformed, and a 422 carrying it.
    for (const status of [200, 422]) {
      const client = createAntomClient({
        baseUrl: "http://127.0.0.1:9",
        clientId: "SANDBOX_FUZZ",
        privateKey: privateKey.privateKey,
        fetch: () => Promise.resolve(new Response(typeof c.payload === "string" ? c.payload : JSON.stringify(c.payload), { status })),
      });
      const outcome = await (client as any)[c.kind.operationId]({}).catch((e: unknown) => e);
      if (outcome instanceof Error) texts.push(outcome.message, JSON.stringify(outcome), String(outcome.stack));
    }
  }
  if (c.kind.channel === "notification" && c.kind.direction === "request") {
    const body = JSON.stringify(c.payload);
    const headers = signedHeaders({ path: "/notify", clientId: "SANDBOX_FUZZ", time: String(Date.now()), body }, privateKey.privateKey);
    try {
      verifyNotification({ path: "/notify", headers: { ...headers }, body, antomPublicKey: privateKey.publicKey });
    } catch (error) {
      texts.push(String((error as Error).message), JSON.stringify(error));
      if (error instanceof AntomNotificationError) texts.push(JSON.stringify(error.result));
    }
  }
  return texts;
}

async function cli(...args: string[]) {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("no card data in any output (fuzz)", () => {
  const all = cases();

  test("the test cards are Luhn-valid and the CVV is absent from the contract", () => {
    for (const pan of PANS) expect(luhn(pan), pan).toBe(true);
    expect(CVV).toBeDefined();
  });

  test("validate(), Antom results, the client's errors (requests and answers) and the notifications' errors: 0 crashes, 0 leaks, 0 wrong verdicts", async () => {
    const counts = new Map<string, number>();
    const crashes: string[] = [];
    const found: string[] = [];
    const wrong: string[] = [];
    for (const c of all) {
      counts.set(c.kind.id, (counts.get(c.kind.id) ?? 0) + 1);
      let texts: string[];
      try {
        texts = await outputsOf(c);
      } catch (error) {
        crashes.push(`${c.label}: ${(error as Error).message}`);
        continue;
      }
      for (const text of texts) for (const leak of leaks(text)) found.push(`${c.label}: ${leak} in ${text.slice(0, 200)}`);
      // A body that is not an object, or a card object where the contract has none, is never valid.
      if (/body as an array|body double-encoded/.test(c.label) && validate(c.kind.id, c.payload).valid) wrong.push(c.label);
    }
    console.info(`card-data fuzz: ${all.length} payloads; per kind ${JSON.stringify(Object.fromEntries(counts))}; ${crashes.length} crashes, ${found.length} leaks, ${wrong.length} wrong verdicts`);
    expect(crashes).toEqual([]);
    expect(found.slice(0, 5)).toEqual([]);
    expect(wrong).toEqual([]);
  }, 300_000);

  test("the CLI's text, JUnit and JSON reports, on stdout and in --output files: 0 leaks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "antom-fuzz-"));
    // A sample of every kind and form (the CLI reads files, so all cases would be slow), plus
    // HAR files and files that are not JSON at all.
    all.forEach((c, i) => {
      if (i % 7 === 0) writeFileSync(join(dir, `${String(i).padStart(5, "0")}.${c.kind.id}.json`), JSON.stringify(c.payload));
    });
    writeFileSync(join(dir, "syntax.pay.request.json"), `{"paymentMethod":{"paymentMethodMetaData":{"cardNo":${PANS[0]}x,"cvv":"${CVV}"}}`);
    writeFileSync(join(dir, "cut.pay.request.json"), `{"cardNo":"${PANS[1]}","cvv":"${CVV}`);
    // A typo inside the number: a parser quoting the text around the error would show its first digits.
    writeFileSync(join(dir, "typo.pay.request.json"), `{"cardNo":${PANS[0].slice(0, 9)}O${PANS[0].slice(10)}}`);
    const pay = all.find((c) => c.kind.id === "pay.request" && c.label.includes("card as a JSON string"))!;
    writeFileSync(
      join(dir, "recorded.har"),
      JSON.stringify({
        log: {
          entries: [
            { request: { method: "POST", url: "https://x.example/ams/api/v1/payments/pay", postData: { text: JSON.stringify(pay.payload) } }, response: { status: 200, content: { text: `{"cardNo":${PANS[2]}` } } },
            { request: { method: "POST", url: "https://x.example/ams/api/v1/payments/pay", postData: { text: `{"cvv":"${CVV}",` } }, response: { status: 500, content: {} } },
          ],
        },
      }),
    );
    for (const reporter of ["text", "junit", "json"]) {
      const toStdout = await cli("validate", dir, "--reporter", reporter);
      expect(toStdout.code).toBe(1);
      expect(leaks((toStdout.out + toStdout.err).replace(/"durationMs": [0-9.e-]+/g, ""))).toEqual([]);
      const file = join(dir, `report.${reporter}`);
      const toFile = await cli("validate", dir, "--reporter", reporter, "--output", file);
      // Durations are random digits; they are not card data.
      const written = readFileSync(file, "utf8").replace(/"durationMs": [0-9.e-]+/g, "");
      expect(written.length).toBeGreaterThan(1000);
      const i = written.indexOf(CVV);
      expect(leaks(toFile.out + toFile.err + written), written.slice(i - 300, i + 50)).toEqual([]);
    }
  }, 300_000);

  test("random JSON with card data anywhere, as any kind: no crash, no leak", () => {
    const secret = fc.oneof(...PANS.map((p) => fc.constantFrom<unknown>(p, Number(p), { cardNo: p, cvv: CVV }, JSON.stringify({ cardNo: p, cvv: CVV }), `cvv=${CVV}`)));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 2 }), secret, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(fc.constantFrom("cardNo", "cvv", "paymentMethod", "paymentMethodMetaData", "x", "result"), tie("node"), { maxKeys: 4 })),
    }));
    const ids = kinds().map((k) => k.id);
    fc.assert(
      fc.property(fc.constantFrom(...ids), tree.node, fc.constantFrom("strict", "tolerant") as fc.Arbitrary<"strict" | "tolerant">, (kind, payload, mode) => {
        const result = validate(kind, payload, { mode });
        const text = JSON.stringify(result) + describeErrors(result.errors) + JSON.stringify(toAntomResult(result) ?? null);
        expect(leaks(text)).toEqual([]);
      }),
      { numRuns: 500, seed: 20261204 },
    );
  });

  test("a 1,000-item array is quoted once, bounded, in its error", () => {
    const items = Array.from({ length: 1000 }, (_, i) => `item-${i}`);
    const result = validate("pay.request", { paymentRequestId: items });
    const error = result.errors.find((e) => e.path === "paymentRequestId")!;
    expect(error.message).toContain("(an array of 1000 items)");
    expect(JSON.stringify(result).length).toBeLessThan(JSON.stringify(items).length / 4);
  });
});
