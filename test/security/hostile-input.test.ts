// Inputs that used to crash or mislead: deep nesting, inherited property names, HAR files with
// nulls, byte-order marks and UTF-16, misspelt notifyType; and the CLI's exit codes and --version.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../conformance/cli.js";
import { parseJsonBody, depthProblem } from "../../src/core/json-body.js";
import { notificationKindOf, knownValues } from "../../src/core/notifications.js";
import { kinds, validate } from "../../src/core/validate.js";
import { namedExamples } from "../helpers/spec.js";
import { root } from "../helpers/paths.js";

async function cli(...args: string[]) {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const payExample = () => structuredClone(namedExamples().find((e) => e.operationId === "pay" && e.direction === "request")!.value);
const deep = (levels: number) => {
  let value: unknown = "x";
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

function tempFile(name: string, content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), "antom-hostile-")), name);
  writeFileSync(file, content);
  return file;
}

describe("validate() on hostile input", () => {
  test("5,000 levels of nesting give a maxDepth error with its path, not a stack overflow", () => {
    for (const kind of ["pay.request", "notifyPayment.request", "inquiryPayment.response"]) {
      const result = validate(kind, deep(5000));
      expect(result.valid).toBe(false);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ rule: "maxDepth", expected: 64 });
      expect(result.errors[0].path).toMatch(/^a(\.a){63}$/);
    }
  });

  test("a cyclic object is a maxDepth error, not a crash", () => {
    const body: Record<string, unknown> = payExample();
    body.self = body;
    expect(validate("pay.request", body).errors[0].rule).toBe("maxDepth");
  });

  test.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])("strict mode rejects %s at the root and inside, for every kind a merchant sends", (key) => {
    for (const kind of kinds().filter((k) => (k.channel === "call") === (k.direction === "request"))) {
      const base = namedExamples().find((e) => `${e.operationId}.${e.direction}` === kind.id)!.value;
      const atRoot = JSON.parse(JSON.stringify(base).replace(/^\{/, `{"${key}":{"x":1},`));
      const result = validate(kind.id, atRoot);
      expect(result.valid, kind.id).toBe(false);
      expect(result.errors, kind.id).toContainEqual(expect.objectContaining({ path: key, rule: "additionalProperty" }));
      // Tolerant mode leaves unknown fields alone, these included.
      expect(validate(kind.id, base).valid, kind.id).toBe(true);
    }
    const nested = payExample();
    nested.paymentAmount = JSON.parse(`{"${key}":1,"currency":"USD","value":"100"}`);
    expect(validate("pay.request", nested).errors).toContainEqual(expect.objectContaining({ path: `paymentAmount.${key}`, rule: "additionalProperty" }));
  });
});

describe("parseJsonBody, the core's reader of untrusted JSON", () => {
  test("returns the value within limits", () => {
    expect(parseJsonBody(Buffer.from('{"a":[1,2]}'))).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(parseJsonBody('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  test("names the rule and the path of each problem, never quoting the input", () => {
    expect(parseJsonBody(Buffer.from("x".repeat(100)), { maxBytes: 10 })).toMatchObject({ ok: false, error: { path: "(root)", rule: "maxBytes" } });
    const tooDeep = parseJsonBody(JSON.stringify({ list: [deep(100)] }), { maxDepth: 10 });
    expect(tooDeep).toMatchObject({ ok: false, error: { rule: "maxDepth", path: "list[0].a.a.a.a.a.a.a.a" } });
    expect(parseJsonBody("[".repeat(100_000), { maxDepth: 64 })).toMatchObject({ ok: false, error: { rule: "maxDepth" } });
    const syntax = parseJsonBody('{"cardNo":405469572O100768}');
    expect(syntax).toMatchObject({ ok: false, error: { path: "(root)", rule: "json" } });
    expect(JSON.stringify(syntax)).not.toMatch(/4054695/);
    expect(parseJsonBody(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]))).toMatchObject({ ok: false, error: { rule: "encoding", message: expect.stringContaining("UTF-16") } });
    expect(parseJsonBody(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toMatchObject({ ok: false, error: { rule: "encoding", message: expect.stringContaining("byte-order mark") } });
    expect(parseJsonBody(Buffer.from([0x7b, 0x00, 0x7d, 0x00]))).toMatchObject({ ok: false, error: { rule: "encoding", message: expect.stringContaining("UTF-16") } });
    expect(parseJsonBody(Buffer.from([0x22, 0xc3, 0x28, 0x22]))).toMatchObject({ ok: false, error: { rule: "encoding", message: expect.stringContaining("UTF-8") } });
    expect(parseJsonBody(42 as never)).toMatchObject({ ok: false, error: { rule: "type" } });
  });

  test("depthProblem walks without recursion", () => {
    expect(depthProblem(deep(100_000), 64)?.rule).toBe("maxDepth");
    expect(depthProblem({ a: [1, { b: 2 }] }, 3)).toBeUndefined();
  });
});

describe("the CLI on hostile files", () => {
  test("a HAR file that is null, or has entries [null], fails with a reason, and the other files are still checked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "antom-har-"));
    writeFileSync(join(dir, "a-null.har"), "null");
    writeFileSync(join(dir, "b-entries.har"), JSON.stringify({ log: { entries: [null, 7, { request: null, response: null }, { request: { url: "https://x/ams/api/v1/payments/pay", postData: null }, response: { status: "200", content: null } }] } }));
    writeFileSync(join(dir, "c-log-null.har"), JSON.stringify({ log: null }));
    writeFileSync(join(dir, "d.pay.request.json"), JSON.stringify(payExample()));
    const { code, out } = await cli("validate", dir);
    expect(code).toBe(1);
    expect(out).toContain("not a HAR file: log.entries is missing or not an array");
    expect(out).toContain("log.entries[0] must be an object; got null");
    expect(out).toContain("the request has no body");
    expect(out).toMatch(/PASS .*d\.pay\.request\.json > pay\.request/);
    expect(out).not.toContain("TypeError");
  });

  test("a file with a byte-order mark or in UTF-16 is rejected with the reason", async () => {
    const json = JSON.stringify(payExample());
    const bom = await cli("validate", tempFile("bom.pay.request.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])));
    expect(bom.out).toContain("UTF-8 with a byte-order mark");
    const utf16 = await cli("validate", tempFile("utf16.pay.request.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, "utf16le")])));
    expect(utf16.out).toContain("UTF-16");
    expect(utf16.code).toBe(1);
  });

  test("exit codes: 0 passed, 1 a check failed, 2 usage, 3 could not run", async () => {
    expect((await cli("validate", tempFile("ok.pay.request.json", JSON.stringify(payExample())))).code).toBe(0);
    expect((await cli("validate", tempFile("bad.pay.request.json", "{}"))).code).toBe(1);
    expect((await cli("validate", "--reporter", "yaml", "x")).code).toBe(2);
    const missing = await cli("validate", join(tmpdir(), "no-such-dir-antom", "x.json"));
    expect(missing.code).toBe(3);
    expect(missing.out).toMatch(/ERROR .*x\.json > read\n.*cannot read/);
    expect(missing.err).toContain("could not be run");
  });

  test("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    for (const args of [["--version"], ["validate", "--version"]]) {
      const result = await cli(...args);
      expect(result.code).toBe(0);
      expect(result.out.trim()).toBe(version);
    }
  });
});

describe("a misspelt notifyType", () => {
  test("names the field that decides, the candidates, and the closest one", async () => {
    const problem = notificationKindOf({ notifyType: "PAYMENT_RESUL" });
    expect(problem).toMatchObject({ path: "notifyType", rule: "enum" });
    const message = (problem as { message: string }).message;
    expect(message).toContain('did you mean "PAYMENT_RESULT"?');
    expect(message).toContain("notifyType decides which notification it is");
    expect(message).toContain('"CAPTURE_RESULT" for notifyCapture');
    expect(message).toContain("disputeNotificationType");
    const file = tempFile("message.json", JSON.stringify({ notifyType: "CAPTURE_RESLUT", result: { resultStatus: "S" } }));
    const { out } = await cli("validate", file);
    expect(out).toContain("cannot tell which notification this is: notifyType:");
    expect(out).toContain('did you mean "CAPTURE_RESULT"?');
  });

  test("known values are read from an enum or from an open set (anyOf of known values and a string)", () => {
    expect(knownValues({ enum: ["A", "B"] })).toEqual(["A", "B"]);
    expect(knownValues({ anyOf: [{ enum: ["A", "B"] }, { type: "string" }] })).toEqual(["A", "B"]);
    expect(knownValues({ anyOf: [{ const: "A" }, { const: "B" }, { type: "string" }] })).toEqual(["A", "B"]);
  });
});
