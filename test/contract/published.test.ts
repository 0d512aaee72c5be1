// Payloads published by Antom or by integrations that ran against it, and payloads derived from
// the official SDKs' models (test/fixtures/published/, each naming its source). The contract must
// accept each one; a copy with one real rule broken must be rejected, naming the field and rule.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ackProblems } from "../../conformance/webhooks.js";
import { validate } from "../../src/core/validate.js";
import { root } from "../helpers/paths.js";

interface Mutation {
  change: string;
  /** Dotted path → new value; `null` deletes the field. */
  set: Record<string, unknown>;
  expect: { path: string; rule: string };
}

interface Fixture {
  source: string;
  evidence: string;
  kind: string;
  mode: "strict" | "tolerant";
  payload: unknown;
  mutations: Mutation[];
}

const DIR = join(root, "test", "fixtures", "published");
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => [file, JSON.parse(readFileSync(join(DIR, file), "utf8")) as Fixture] as const);

function mutated(base: unknown, set: Record<string, unknown>): unknown {
  const copy = structuredClone(base) as Record<string, any>;
  for (const [path, value] of Object.entries(set)) {
    const keys = path.split(".");
    let node = copy;
    for (const key of keys.slice(0, -1)) node = node[key];
    if (value === null) delete node[keys.at(-1)!];
    else node[keys.at(-1)!] = value;
  }
  return copy;
}

test("there are published and SDK-derived fixtures, each with its source, and each breaks at least one rule when mutated", () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(10);
  for (const [file, f] of fixtures) {
    expect(f.source.length, file).toBeGreaterThan(20);
    expect(f.mutations.length, file).toBeGreaterThan(0);
  }
});

describe.each(fixtures)("%s", (_, f) => {
  test(`is valid (${f.mode} mode)`, () => {
    expect(validate(f.kind, f.payload, { mode: f.mode }).errors).toEqual([]);
  });

  test.each(f.mutations.map((m) => [m.change, m] as const))("rejected when mutated: %s", (__, m) => {
    const result = validate(f.kind, mutated(f.payload, m.set), { mode: f.mode });
    expect(result.valid).toBe(false);
    expect(result.errors.find((e) => e.path === m.expect.path && e.rule === m.expect.rule), JSON.stringify(result.errors, null, 2)).toBeDefined();
  });
});

// The acknowledgement schema accepts FAIL / UNKNOWN_EXCEPTION (what a merchant may send), so
// schema validity alone no longer proves that a receiver acknowledged: the receiver check of the
// conformance suite (conformance/webhooks.ts, ackProblems) must also require SUCCESS / S.
test("the conformance receiver check reports a FAIL / F answer as not acknowledged (decision 52)", () => {
  const answer = (result: object) => ({ status: 200, text: JSON.stringify({ result }) });
  expect(ackProblems(answer({ resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success" }))).toEqual([]);
  for (const refusal of [
    { resultCode: "FAIL", resultStatus: "F", resultMessage: "try again" },
    { resultCode: "UNKNOWN_EXCEPTION", resultStatus: "U", resultMessage: "later" },
  ]) {
    expect(ackProblems(answer(refusal))).toEqual(expect.arrayContaining([expect.stringContaining(`result.resultCode is "${refusal.resultCode}", expected "SUCCESS"`)]));
  }
});
