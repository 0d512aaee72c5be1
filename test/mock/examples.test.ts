// Every outcome the contract names is reachable on the mock, by header and by query, and what
// the mock answers is exactly the named example and valid against the contract.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { validate } from "../../src/core/validate.js";
import { namedExamples, spec } from "../helpers/spec.js";
import type { OperationId } from "../../src/index.js";
import { callOperation } from "./call.js";
import { startReceiver, type Receiver } from "./receiver.js";

const operations: OperationId[] = Object.values(spec.paths as Record<string, any>).map((item) => item.post.operationId);
const examplesOf = (operationId: string, direction: "request" | "response") =>
  namedExamples().filter((e) => e.operationId === operationId && e.direction === direction);

// pay makes the mock send notifications to paymentNotifyUrl: keep them on this machine.
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

function requestBody(value: unknown): any {
  const body = structuredClone(value) as any;
  if (body && typeof body === "object" && "paymentNotifyUrl" in body) body.paymentNotifyUrl = `${receiver.url}/notify`;
  return body;
}

test("the bundle names request and response examples for all five operations", () => {
  expect(operations.sort()).toEqual(["cancel", "capture", "consult", "inquiryPayment", "pay"]);
  for (const operationId of operations) {
    expect(examplesOf(operationId, "request").length, operationId).toBeGreaterThan(0);
    expect(examplesOf(operationId, "response").length, operationId).toBeGreaterThan(0);
  }
});

describe.each(operations)("%s", (operationId) => {
  const requests = examplesOf(operationId, "request");
  const responses = examplesOf(operationId, "response");
  const body = () => requestBody(requests[0].value);

  test.each(responses.map((e) => [e.name, e] as const))("Prefer: example=%s answers that example", async (name, example) => {
    const answer = await callOperation(operationId, body(), { example: name });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body).toEqual(example.value);
    expect(validate(`${operationId}.response`, answer.body, { mode: "tolerant" }).errors).toEqual([]);
  });

  test.each(responses.map((e) => [e.name, e] as const))("?__example=%s answers that example", async (name, example) => {
    const answer = await callOperation(operationId, body(), { exampleQuery: name });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(example.value);
    expect(validate(`${operationId}.response`, answer.body, { mode: "tolerant" }).errors).toEqual([]);
  });

  test("without a preference, answers its first example, which is a success", async () => {
    const answer = await callOperation(operationId, body());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(responses[0].value);
    expect(answer.body.result).toMatchObject({ resultStatus: "S", resultCode: "SUCCESS" });
  });

  test.each(requests.map((e) => [e.name, e] as const))("accepts request example %s", async (_, example) => {
    const answer = await callOperation(operationId, requestBody(example.value));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual(responses[0].value);
  });

  test("sends the response signing headers the contract declares", async () => {
    const answer = await callOperation(operationId, body());
    expect(answer.headers.get("client-id")).toBeTruthy();
    expect(answer.headers.get("response-time")).toBeTruthy();
    expect(answer.headers.get("signature")).toMatch(/^algorithm=RSA256,keyVersion=\d+,signature=\S+$/);
  });
});
