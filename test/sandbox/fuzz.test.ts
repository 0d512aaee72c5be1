// 10,000 malformed pay bodies against the sandbox: every one gets HTTP 200 with F /
// PARAM_ILLEGAL, none echoes the card number or CVV, and the process stays up.
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { validate } from "../../src/core/validate.js";
import { newMerchant, payBody, startHarness, testKeys, type Harness, type Merchant } from "./harness.js";

const COUNT = 10_000;
const PAN = "4054695723100768";
const CVV = "987";

let h: Harness;
let m: Merchant;
beforeAll(async () => {
  // 1024-bit keys: the signatures are not what is tested here, and 10,000 of them each way are costly.
  h = await startHarness({ keyBits: 1024 });
  m = await newMerchant(h, { keys: testKeys(1024) });
});
afterAll(() => h.close());

/** Every path to a value inside a JSON document. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setAt(doc: any, path: (string | number)[], value: unknown): any {
  if (path.length === 0) return value;
  const copy = Array.isArray(doc) ? [...doc] : { ...doc };
  copy[path[0] as any] = setAt(doc?.[path[0] as any], path.slice(1), value);
  return copy;
}

function removeAt(doc: any, path: (string | number)[]): any {
  if (path.length === 1) {
    const copy = Array.isArray(doc) ? [...doc] : { ...doc };
    delete copy[path[0] as any];
    return copy;
  }
  return setAt(doc, path.slice(0, 1), removeAt(doc[path[0] as any], path.slice(1)));
}

const base = payBody({ cardNo: PAN, meta: { cvv: CVV } });
const allPaths = paths(base).filter((p) => p.length > 0);
const wrongValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
  fc.string({ maxLength: 300 }),
  fc.constant(JSON.stringify({ cardNo: PAN, cvv: CVV })),
  fc.constant([PAN, CVV]),
);

/** Malformed bodies as text: wrong types anywhere, removed fields, other JSON, broken JSON, deep nesting. */
const malformed: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...allPaths), wrongValue).map(([path, value]) => JSON.stringify(setAt(base, path, value))),
  fc.constantFrom(...allPaths).map((path) => JSON.stringify(removeAt(base, path))),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.nat({ max: 2000 }).map((cut) => JSON.stringify(base).slice(0, cut)),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: 65, max: 20_000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
  fc.constant(JSON.stringify(JSON.stringify(base))),
);

/** Whether the text is a pay request the contract accepts (then it is not malformed). */
function acceptable(text: string): boolean {
  try {
    return validate("pay.request", JSON.parse(text), { mode: "tolerant" }).valid;
  } catch {
    return false;
  }
}

test(`${COUNT.toLocaleString("en")} malformed bodies: 0 crashes, 0 non-200 answers, 100% PARAM_ILLEGAL, 0 leaks`, async () => {
  const bodies = fc.sample(malformed.filter((text) => text.length < 1_000_000 && !acceptable(text)), { numRuns: COUNT, seed: 20261204 });
  expect(bodies).toHaveLength(COUNT);
  const verdicts = { status200: 0, paramIllegal: 0, leaks: 0, other: [] as string[] };
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const answer = await m.raw("/ams/sandbox/api/v1/payments/pay", body);
      if (answer.status === 200) verdicts.status200++;
      if (answer.json?.result?.resultStatus === "F" && answer.json.result.resultCode === "PARAM_ILLEGAL") verdicts.paramIllegal++;
      else if (verdicts.other.length < 5) verdicts.other.push(`${body.slice(0, 120)} -> ${answer.text.slice(0, 200)}`);
      if (answer.text.includes(PAN) || answer.text.includes(PAN.slice(0, 9)) || new RegExp(`(?<![0-9])${CVV}(?![0-9])`).test(answer.text)) {
        verdicts.leaks++;
        if (verdicts.other.length < 5) verdicts.other.push(`leak: ${answer.text.slice(0, 300)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  expect(verdicts.other).toEqual([]);
  expect(verdicts).toMatchObject({ status200: COUNT, paramIllegal: COUNT, leaks: 0 });
  // Still up, and still right.
  expect((await m.call("pay", payBody())).result.resultStatus).toBe("S");
}, 120_000);
