// The shared mock survives what a shared mock meets: a small body nested 5,000 levels deep (which
// made Prism answer 422 and then exit with a stack overflow) and oversized bodies are answered by
// the loopback guard in front of Prism, and the next normal request still gets its answer.
import { request } from "node:http";
import { describe, expect, test } from "vitest";
import { callOperation, mockBaseUrl } from "./call.js";
import { namedExamples } from "../helpers/spec.js";

const capture = namedExamples().find((e) => e.operationId === "capture" && e.direction === "request")!.value;

function post(path: string, body: Buffer | string, headers: Record<string, string> = {}, chunked = false): Promise<{ status: number; body: string }> {
  const url = new URL(path, mockBaseUrl());
  return new Promise((done, fail) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "Content-Type": "application/json", ...(chunked ? {} : { "Content-Length": Buffer.byteLength(body) }), ...headers } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => done({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", fail);
    if (chunked) {
      const bytes = Buffer.from(body);
      for (let i = 0; i < bytes.length; i += 65536) req.write(bytes.subarray(i, i + 65536));
      req.end();
    } else req.end(body);
  });
}

const signing = { "Client-Id": "SANDBOX_5YBZ1K2ZXXXX00000", "Request-Time": "1700000000000", Signature: "algorithm=RSA256,keyVersion=1,signature=unchecked" };

describe("the mock's loopback guard", () => {
  test("a 10 KB body nested 5,000 levels deep gets a 422 naming the rule, and the mock stays up", async () => {
    const killer = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    expect(killer.length).toBeLessThan(40_000);
    for (const path of ["/v1/payments/pay", "/v1/payments/capture"]) {
      const answer = await post(path, killer, signing);
      expect(answer.status).toBe(422);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 422, validation: [{ code: "TOO_DEEP" }] });
      expect(answer.body).toContain("deeper than 64 levels");
    }
    const arrays = await post("/v1/payments/pay", `${"[".repeat(5000)}${"]".repeat(5000)}`, { ...signing, "Content-Type": "text/plain" });
    expect(arrays.status).toBe(422);
    const normal = await callOperation("capture", capture);
    expect(normal.status).toBe(200);
    expect(normal.body.result.resultStatus).toBe("S");
  });

  test("a body over 1 MiB gets a 413, declared or chunked, and the mock stays up", async () => {
    const big = JSON.stringify({ paymentId: "x".repeat(2 * 1024 * 1024) });
    expect((await post("/v1/payments/capture", big, signing)).status).toBe(413);
    expect((await post("/v1/payments/capture", big, signing, true)).status).toBe(413);
    expect((await callOperation("capture", capture)).status).toBe(200);
  });
});
