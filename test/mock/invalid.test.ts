// What the mock answers to a request Antom would refuse, and how the conformance validators turn
// the same request into Antom's own PARAM_ILLEGAL answer.
import { describe, expect, test } from "vitest";
import { describeError, toAntomResult } from "../../src/core/antom-result.js";
import { validate } from "../../src/core/validate.js";
import { namedExamples } from "../helpers/spec.js";
import { callOperation } from "./call.js";

const PRISM_ERRORS = "https://stoplight.io/prism/errors#";
const example = (operationId: string, name: string) =>
  structuredClone(namedExamples().find((e) => e.operationId === operationId && e.direction === "request" && e.name === name)!.value);
const inquiry = example("inquiryPayment", "byPaymentId");
const capture = example("capture", "full");

describe("missing signing headers", () => {
  test.each([
    ["all three", { "Client-Id": undefined, "Request-Time": undefined, Signature: undefined }],
    ["Signature", { Signature: undefined }],
  ])("without %s: 401 problem+json, Invalid security scheme used", async (_, headers) => {
    const answer = await callOperation("inquiryPayment", inquiry, { headers });
    expect(answer.status).toBe(401);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: `${PRISM_ERRORS}UNAUTHORIZED`, title: "Invalid security scheme used", status: 401 });
  });

  test.each([
    ["Client-Id", "client-id"],
    ["Request-Time", "request-time"],
  ])("without %s: 422 problem+json naming the header", async (header, lower) => {
    const answer = await callOperation("inquiryPayment", inquiry, { headers: { [header]: undefined } });
    expect(answer.status).toBe(422);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: `${PRISM_ERRORS}UNPROCESSABLE_ENTITY`, title: "Invalid request", status: 422 });
    expect(answer.body.validation).toEqual([
      { location: ["header"], severity: "Error", code: "required", message: `Request header must have required property '${lower}'` },
    ]);
  });

  test("a Signature not of the form algorithm=RSA256,keyVersion=<n>,signature=<value>: 422 naming the header and the pattern", async () => {
    const answer = await callOperation("inquiryPayment", inquiry, { headers: { Signature: "RSA256 abc" } });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ type: `${PRISM_ERRORS}UNPROCESSABLE_ENTITY`, title: "Invalid request", status: 422 });
    expect(answer.body.validation).toEqual([expect.objectContaining({ location: ["header", "signature"], severity: "Error", code: "pattern" })]);
  });

  test("the headers are checked before the body: no headers and a bad body still gives 401", async () => {
    const answer = await callOperation("inquiryPayment", {}, { headers: { "Client-Id": undefined, "Request-Time": undefined, Signature: undefined } });
    expect(answer.status).toBe(401);
  });

  test("any Signature value is accepted: the mock cannot verify RSA signatures", async () => {
    const answer = await callOperation("inquiryPayment", inquiry, { headers: { Signature: "algorithm=RSA256,keyVersion=1,signature=bm90LWEtc2lnbmF0dXJl" } });
    expect(answer.status).toBe(200);
  });
});

describe("invalid bodies: Prism's 422, and Antom's PARAM_ILLEGAL from the validators", () => {
  const cases = [
    {
      name: "a lower-case currency",
      body: { ...capture, captureAmount: { ...capture.captureAmount, currency: "usd" } },
      location: ["body", "captureAmount", "currency"],
      code: "pattern",
      path: "captureAmount.currency",
    },
    {
      name: "a missing required field",
      body: (({ captureRequestId: _, ...rest }) => rest)(capture),
      location: ["body"],
      code: "required",
      path: "captureRequestId",
    },
    {
      name: "an amount value as a number",
      body: { ...capture, captureAmount: { ...capture.captureAmount, value: 1000 } },
      location: ["body", "captureAmount", "value"],
      code: "type",
      path: "captureAmount.value",
    },
  ];

  test.each(cases.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const answer = await callOperation("capture", c.body);
    expect(answer.status).toBe(422);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: `${PRISM_ERRORS}UNPROCESSABLE_ENTITY`, title: "Invalid request", status: 422 });
    expect(answer.body.validation).toContainEqual(expect.objectContaining({ location: c.location, severity: "Error", code: c.code }));

    const validation = validate("capture.request", c.body);
    const error = validation.errors.find((e) => e.path === c.path && e.rule === c.code);
    expect(error, JSON.stringify(validation.errors)).toBeDefined();
    const antom = toAntomResult(validation)!;
    expect(antom.result).toMatchObject({ resultCode: "PARAM_ILLEGAL", resultStatus: "F" });
    expect(antom.result.resultMessage).toContain(`${c.path}: ${error!.message} (${c.code})`);
    expect(validate("capture.response", antom, { mode: "tolerant" }).errors).toEqual([]);
  });

  test("a misspelt field passes the mock (the contract's schemas are open) but not the strict validator", async () => {
    const body = { ...inquiry, paymentIdd: "20240501194010800100188570271832381" };
    expect((await callOperation("inquiryPayment", body)).status).toBe(200);
    const antom = toAntomResult(validate("inquiryPayment.request", body));
    expect(antom?.result.resultMessage).toBe("paymentIdd: paymentIdd is not a property the contract defines (misspelt?) (additionalProperty)");
  });

  test("a body that is not JSON: 400 with Prism's invalid_json error", async () => {
    const answer = await callOperation("capture", undefined, { rawBody: "{not json" });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: "invalid_json", message: "Invalid JSON" } });
  });

  test("a body that is not declared as JSON: 415 problem+json", async () => {
    const answer = await callOperation("capture", capture, { headers: { "Content-Type": "text/plain" } });
    expect(answer.status).toBe(415);
    expect(answer.body).toMatchObject({ type: `${PRISM_ERRORS}INVALID_CONTENT_TYPE`, status: 415 });
  });

  test("an outcome the contract does not name: 404 problem+json", async () => {
    const answer = await callOperation("capture", capture, { example: "noSuchOutcome" });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ type: `${PRISM_ERRORS}NOT_FOUND`, status: 404 });
    expect(answer.body.detail).toContain("noSuchOutcome");
  });
});

describe("toAntomResult", () => {
  test("is undefined for a valid payload", () => {
    expect(toAntomResult(validate("capture.request", capture))).toBeUndefined();
  });

  test("names every problem, joined by '; '", () => {
    const body = { ...capture, captureAmount: { currency: "usd", value: 10 } };
    const validation = validate("capture.request", body);
    expect(validation.errors.map((e) => e.path)).toEqual(["captureAmount.currency", "captureAmount.value"]);
    expect(toAntomResult(validation)!.result.resultMessage).toBe(validation.errors.map(describeError).join("; "));
  });

  test("keeps within resultMessage's 256 characters, so the answer is still a valid response", () => {
    const body = { captureAmount: { currency: "usd", value: 10 }, captureRequestId: "C".repeat(100), notes: "x" };
    const validation = validate("capture.request", body);
    const full = validation.errors.map(describeError).join("; ");
    expect(full.length).toBeGreaterThan(256);
    const { result } = toAntomResult(validation)!;
    expect(result.resultMessage).toBe(`${full.slice(0, 253)}...`);
    expect(validate("capture.response", { result }, { mode: "tolerant" }).errors).toEqual([]);
  });
});
