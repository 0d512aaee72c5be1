import { isDeepStrictEqual } from "node:util";
import { describe, expect, test } from "vitest";
import { schemaValidator, formatErrors } from "../../src/core/validate.js";
import { seedSamples } from "../helpers/seeds.js";
import { namedExamples, resultCodesOf, topLevelOperations } from "../helpers/spec.js";

const examples = namedExamples();
const seeds = seedSamples().map((s) => s.value);
const isSeed = (value: unknown) => seeds.some((seed) => isDeepStrictEqual(seed, value));

/** The outcomes the contract promises a named example for. */
const REQUIRED: Record<string, { request?: string[]; response?: string[] }> = {
  consult: { response: ["cardOptions"] },
  pay: {
    request: ["rawCard", "storedCardToken", "hosted"],
    response: ["success", "threeDSChallenge", "doNotHonor", "paramIllegal", "repeatReqInconsistent"],
  },
  cancel: { response: ["success", "orderStatusInvalid"] },
  capture: { response: ["success", "captureInProcess", "captureAmountExceedAuthLimit", "authExpired"] },
  inquiryPayment: { response: ["successWithCapture", "processing", "cancelled", "fail"] },
  notifyPayment: { request: ["authorizationSuccess"] },
  notifyCapture: { request: ["captureSuccess"] },
  notifyDispute: { request: ["disputeCreated", "disputeJudgedMerchantLiable", "disputeJudgedCustomerLiable"] },
};

describe("named examples", () => {
  test.each(Object.entries(REQUIRED))("%s has a named example for every promised outcome", (operationId, wanted) => {
    for (const direction of ["request", "response"] as const) {
      const names = examples.filter((e) => e.operationId === operationId && e.direction === direction).map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(wanted[direction] ?? []));
    }
  });

  test("the first response example of every operation is a success (the mock's default answer)", () => {
    for (const { channel, op } of topLevelOperations()) {
      if (channel !== "call") continue;
      const first: any = Object.values(op.responses["200"].content["application/json"].examples)[0];
      expect(first.value.result, op.operationId).toMatchObject({ resultStatus: "S", resultCode: "SUCCESS" });
    }
  });

  test.each(examples.map((e) => [`${e.operationId} ${e.direction} ${e.name}`, e] as const))(
    "%s is valid against its schema",
    (_, example) => {
      const fn = schemaValidator(example.schema, "tolerant");
      expect(fn(example.value) ? [] : formatErrors(fn.errors, example.value)).toEqual([]);
      // Our own examples also pass strict mode, so none of them carries a misspelt field.
      // Samples copied from Antom's guides are exempt: they are kept byte for byte, typos included.
      if (!isSeed(example.value)) {
        const strict = schemaValidator(example.schema, "strict");
        expect(strict(example.value) ? [] : formatErrors(strict.errors, example.value)).toEqual([]);
      }
    },
  );
});

describe("result codes", () => {
  test("every operation and notification lists its known result codes, well formed and unique", () => {
    for (const { op } of topLevelOperations()) {
      const codes = resultCodesOf(op.operationId);
      if (op.operationId === "notifyDispute") continue; // Dispute notifications carry no result.
      expect(codes.length, op.operationId).toBeGreaterThan(0);
      expect(codes.find((c) => c.resultCode === "SUCCESS")?.resultStatus, op.operationId).toBe("S");
      const names = codes.map((c) => c.resultCode);
      expect(new Set(names).size, op.operationId).toBe(names.length);
      for (const c of codes) {
        expect(["S", "F", "U"], `${op.operationId} ${c.resultCode}`).toContain(c.resultStatus);
        expect(c.resultCode).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(c.description.length, `${op.operationId} ${c.resultCode}`).toBeGreaterThan(5);
      }
    }
  });

  test("calls include the gateway codes common to every operation", () => {
    for (const { channel, op } of topLevelOperations()) {
      if (channel !== "call") continue;
      const names = resultCodesOf(op.operationId).map((c) => c.resultCode);
      expect(names, op.operationId).toEqual(expect.arrayContaining(["PARAM_ILLEGAL", "INVALID_SIGNATURE", "UNKNOWN_EXCEPTION"]));
    }
  });

  test("the result description of every operation renders its result-code table", () => {
    for (const { op } of topLevelOperations()) {
      for (const c of resultCodesOf(op.operationId)) expect(op.description).toContain(`| \`${c.resultCode}\` | \`${c.resultStatus}\` |`);
    }
  });

  test.each(examples.filter((e) => e.value?.result && !(e.operationId.startsWith("notify") && e.direction === "response")).map((e) => [`${e.operationId} ${e.name}`, e] as const))(
    "%s carries a result code its operation documents, with the documented status",
    (_, example) => {
      const known = resultCodesOf(example.operationId).find((c) => c.resultCode === example.value.result.resultCode);
      expect(known, example.value.result.resultCode).toBeDefined();
      expect(example.value.result.resultStatus).toBe(known!.resultStatus);
    },
  );

  test("inquiryPayment examples report payment result codes that pay or notifyPayment document", () => {
    const known = new Set([...resultCodesOf("pay"), ...resultCodesOf("notifyPayment")].map((c) => c.resultCode));
    const withCodes = examples.filter((e) => e.operationId === "inquiryPayment" && e.value?.paymentResultCode);
    expect(withCodes.length).toBeGreaterThan(0);
    for (const e of withCodes) expect(known, e.name).toContain(e.value.paymentResultCode);
  });
});
