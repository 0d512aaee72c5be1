import { describe, expect, test } from "vitest";
import { validate } from "../../src/core/validate.js";
import { namedExamples } from "../helpers/spec.js";

function example(operationId: string, direction: "request" | "response", name: string): any {
  const found = namedExamples().find((e) => e.operationId === operationId && e.direction === direction && e.name === name);
  if (!found) throw new Error(`no example ${operationId} ${direction} ${name}`);
  return structuredClone(found.value);
}

/** Returns a copy of `base` with the value at the dotted `path` replaced, or deleted when `value` is undefined. */
function mutate(base: any, path: string, value?: unknown): any {
  const copy = structuredClone(base);
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key];
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return copy;
}

const rawCard = example("pay", "request", "rawCard");
const paySuccess = example("pay", "response", "success");
const capture = example("capture", "request", "full");
const notifyPayment = example("notifyPayment", "request", "authorizationSuccess");
const disputeCreated = example("notifyDispute", "request", "disputeCreated");

interface Case {
  name: string;
  kind: string;
  payload: unknown;
  path: string;
  rule: string;
  allowed?: string[];
}

const CASES: Case[] = [
  { name: "missing required field", kind: "pay.request", payload: mutate(rawCard, "paymentRequestId"), path: "paymentRequestId", rule: "required" },
  { name: "missing nested required field", kind: "pay.request", payload: mutate(rawCard, "order.orderAmount"), path: "order.orderAmount", rule: "required" },
  { name: "missing result in a response", kind: "pay.response", payload: mutate(paySuccess, "result"), path: "result", rule: "required" },
  { name: "missing capture amount", kind: "capture.request", payload: mutate(capture, "captureAmount"), path: "captureAmount", rule: "required" },
  { name: "wrong terminalType", kind: "pay.request", payload: mutate(rawCard, "env.terminalType", "DESKTOP"), path: "env.terminalType", rule: "enum", allowed: ["WEB", "WAP", "APP", "MINI_APP"] },
  { name: "wrong captureMode", kind: "pay.request", payload: mutate(rawCard, "paymentFactor.captureMode", "LATER"), path: "paymentFactor.captureMode", rule: "enum", allowed: ["AUTOMATIC", "MANUAL", ""] },
  { name: "wrong resultStatus", kind: "notifyPayment.request", payload: mutate(notifyPayment, "result.resultStatus", "OK"), path: "result.resultStatus", rule: "enum", allowed: ["S", "F", "U"] },
  // notifyType is an open set (an unknown value is valid); a non-string is not.
  { name: "notifyType that is not a string", kind: "notifyPayment.request", payload: mutate(notifyPayment, "notifyType", 7), path: "notifyType", rule: "anyOf" },
  // disputeNotificationType is an open set (an unknown event name is valid); a non-string is not.
  { name: "disputeNotificationType that is not a string", kind: "notifyDispute.request", payload: mutate(disputeCreated, "disputeNotificationType", 7), path: "disputeNotificationType", rule: "anyOf" },
  { name: "over-long paymentRequestId", kind: "pay.request", payload: mutate(rawCard, "paymentRequestId", "P".repeat(65)), path: "paymentRequestId", rule: "maxLength" },
  { name: "over-long orderDescription", kind: "pay.request", payload: mutate(rawCard, "order.orderDescription", "d".repeat(257)), path: "order.orderDescription", rule: "maxLength" },
  { name: "amount value as a number", kind: "pay.request", payload: mutate(rawCard, "paymentAmount.value", 1000), path: "paymentAmount.value", rule: "type" },
  { name: "amount value with a decimal point", kind: "pay.request", payload: mutate(rawCard, "paymentAmount.value", "10.00"), path: "paymentAmount.value", rule: "pattern" },
  { name: "lower-case currency", kind: "pay.request", payload: mutate(rawCard, "paymentAmount.currency", "usd"), path: "paymentAmount.currency", rule: "pattern" },
  { name: "one-digit expiry month", kind: "pay.request", payload: mutate(rawCard, "paymentMethod.paymentMethodMetaData.expiryMonth", "6"), path: "paymentMethod.paymentMethodMetaData.expiryMonth", rule: "pattern" },
  { name: "boolean flag that is neither a boolean nor its string", kind: "pay.request", payload: mutate(rawCard, "paymentFactor.isAuthorization", "yes"), path: "paymentFactor.isAuthorization", rule: "anyOf" },
  { name: "time without an offset", kind: "notifyPayment.request", payload: mutate(notifyPayment, "paymentCreateTime", "2024-05-01 10:00:00"), path: "paymentCreateTime", rule: "format" },
  { name: "card number without its expiry (one of a pair without the other)", kind: "pay.request", payload: mutate(rawCard, "paymentMethod.paymentMethodMetaData.expiryYear"), path: "paymentMethod.paymentMethodMetaData.expiryYear", rule: "dependentRequired" },
  { name: "mini-program payment without its appId (a rule that depends on another field)", kind: "pay.request", payload: mutate(rawCard, "env.terminalType", "MINI_APP"), path: "appId", rule: "dependentRequired" },
  { name: "cancel naming neither paymentId nor paymentRequestId", kind: "cancel.request", payload: { merchantAccountId: "M1" }, path: "(root)", rule: "anyOf" },
  { name: "inquiry naming neither paymentId nor paymentRequestId", kind: "inquiryPayment.request", payload: {}, path: "(root)", rule: "anyOf" },
  { name: "acknowledgement with another code", kind: "notifyCapture.response", payload: { result: { resultCode: "OK", resultStatus: "S" } }, path: "result.resultCode", rule: "enum", allowed: ["SUCCESS", "FAIL", "UNKNOWN_EXCEPTION"] },
  { name: "acknowledgement pairing S with a code other than SUCCESS", kind: "notifyPayment.response", payload: { result: { resultCode: "FAIL", resultStatus: "S" } }, path: "result", rule: "not" },
  { name: "checkout payment without paymentRedirectUrl (a rule that depends on productCode)", kind: "pay.request", payload: mutate(rawCard, "paymentRedirectUrl"), path: "paymentRedirectUrl", rule: "dependentRequired" },
  { name: "pay with neither order and paymentAmount nor subscriptionId", kind: "pay.request", payload: mutate(mutate(rawCard, "order"), "paymentAmount"), path: "(root)", rule: "anyOf" },
  { name: "over-long cpf (longer than its formatted form)", kind: "pay.request", payload: mutate(rawCard, "paymentMethod.paymentMethodMetaData.cpf", "671.998.112-31-0"), path: "paymentMethod.paymentMethodMetaData.cpf", rule: "maxLength" },
  { name: "open-set value that is not a string (redirectActionForm.method)", kind: "inquiryPayment.response", payload: { result: { resultCode: "SUCCESS", resultStatus: "S" }, redirectActionForm: { method: 1, redirectUrl: "https://example.com" } }, path: "redirectActionForm.method", rule: "anyOf" },
  { name: "acknowledgement without resultStatus", kind: "notifyDispute.response", payload: { result: { resultCode: "FAIL" } }, path: "result.resultStatus", rule: "required" },
  { name: "misspelt field in a merchant request (strict mode)", kind: "pay.request", payload: mutate(rawCard, "paymentNotifyURL", "https://merchant.example.com/notify"), path: "paymentNotifyURL", rule: "additionalProperty" },
];

describe("invalid payloads are rejected with the field path and the rule", () => {
  test("payloads that only conditional rules concern are valid in strict mode (a closed `then` once rejected them)", () => {
    const miniApp = mutate(mutate(rawCard, "env.terminalType", "MINI_APP"), "appId", "2021000000000001");
    expect(validate("pay.request", miniApp).errors).toEqual([]);
    const inStore = mutate(mutate(mutate(rawCard, "productCode", "IN_STORE_PAYMENT"), "paymentRedirectUrl"), "env");
    expect(validate("pay.request", inStore).errors).toEqual([]);
  });

  test("every base example is valid before it is broken", () => {
    for (const [kind, payload] of [["pay.request", rawCard], ["pay.response", paySuccess], ["capture.request", capture], ["notifyPayment.request", notifyPayment], ["notifyDispute.request", disputeCreated]] as const) {
      expect(validate(kind, payload).errors, kind).toEqual([]);
    }
  });

  test.each(CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const result = validate(c.kind, c.payload);
    expect(result.valid).toBe(false);
    const error = result.errors.find((e) => e.path === c.path && e.rule === c.rule);
    expect(error, JSON.stringify(result.errors, null, 2)).toBeDefined();
    expect(error!.message.length).toBeGreaterThan(0);
    if (c.allowed) expect(error!.allowed).toEqual(c.allowed);
  });

  test("a misspelt field is reported in strict mode only; Antom's messages are read tolerantly", () => {
    const misspelt = mutate(rawCard, "paymentNotifyURL", "https://merchant.example.com/notify");
    expect(validate("pay.request", misspelt, { mode: "tolerant" }).valid).toBe(true);
    expect(validate("pay.request", misspelt, { mode: "strict" }).valid).toBe(false);
    const newField = { ...notifyPayment, someFieldAntomAddsLater: "x" };
    expect(validate("notifyPayment.request", newField).valid).toBe(true);
  });
});

describe("errors never echo card data", () => {
  test("a card number, CVV or card password digest that breaks a rule is masked in the error", () => {
    const spaced = mutate(rawCard, "paymentMethod.paymentMethodMetaData.cardNo", "4054 6957 2310 0768");
    const longCvv = mutate(spaced, "paymentMethod.paymentMethodMetaData.cvv", "12345");
    const result = validate("pay.request", mutate(longCvv, "paymentMethod.paymentMethodMetaData.cardPasswordDigest", "123"));
    const text = JSON.stringify(result.errors);
    expect(result.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        "paymentMethod.paymentMethodMetaData.cardNo",
        "paymentMethod.paymentMethodMetaData.cvv",
        "paymentMethod.paymentMethodMetaData.cardPasswordDigest",
      ]),
    );
    expect(text).not.toContain("4054 6957");
    expect(text).not.toContain("12345");
    // No more than the first 6 and the last 4 digits.
    expect(text).toContain("4054 69** **** 0768");
  });
});
