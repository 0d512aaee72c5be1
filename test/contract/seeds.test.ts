import { isDeepStrictEqual } from "node:util";
import { describe, expect, test } from "vitest";
import { schemaValidator, formatErrors, validate } from "../../src/core/validate.js";
import { guidesPresent, samplesInGuides, seedSamples } from "../helpers/seeds.js";
import { namedExamples, spec } from "../helpers/spec.js";

// Where each JSON sample of Antom's guides belongs. A new sample in the seeds fails the count below
// until it is classified here.
const KIND: Record<string, string> = {
  "004#0": "pay.request", // server-to-server, raw card
  "004#1": "pay.request", // hosted payment page, no card data
  "004#2": "pay.response",
  "004#3": "notifyPayment.request", // general card
  "004#4": "notifyPayment.request", // Korean issuer authentication
};
// 003's only sample is a fragment of an inquiryPayment response: its `transactions` array alone.
const FRAGMENT = "003#0";

const samples = seedSamples();

describe("JSON samples of Antom's guides", () => {
  test("are all found and classified", () => {
    expect(samples.map((s) => `${s.seed}#${s.index}`).sort()).toEqual([FRAGMENT, ...Object.keys(KIND)].sort());
  });

  test.each(samples.filter((s) => KIND[`${s.seed}#${s.index}`]).map((s) => [`${s.seed}#${s.index}`, s] as const))(
    "sample %s validates against the contract and is one of its named examples, unchanged",
    (id, sample) => {
      const result = validate(KIND[id], sample.value, { mode: "tolerant" });
      expect(result.errors).toEqual([]);
      const [operationId, direction] = KIND[id].split(".");
      const match = namedExamples().find(
        (e) => e.operationId === operationId && e.direction === direction && isDeepStrictEqual(e.value, sample.value),
      );
      expect(match, `no ${KIND[id]} example equals seed sample ${id}`).toBeDefined();
    },
  );

  test("the transactions fragment validates as inquiryPayment transactions and is the example of that property", () => {
    const fragment = samples.find((s) => `${s.seed}#${s.index}` === FRAGMENT)!.value as { transactions: unknown[] };
    expect(Object.keys(fragment)).toEqual(["transactions"]);
    const transaction = schemaValidator("Transaction", "tolerant");
    for (const item of fragment.transactions) expect(transaction(item) ? [] : formatErrors(transaction.errors, item)).toEqual([]);
    const property = spec.components.schemas.InquiryPaymentResponse.properties.transactions;
    expect(property.examples).toContainEqual(fragment.transactions);
  });
});

// Needs Antom's guides beside the repository (../shared/seeds), as CI has them.
describe.runIf(guidesPresent)("the kept samples", () => {
  test("are exactly the JSON samples of Antom's guides, in order", () => {
    expect(seedSamples()).toEqual(samplesInGuides());
  });
});

