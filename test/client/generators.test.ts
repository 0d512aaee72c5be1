// The contract must suit generators other than ours: teams generating their own clients
// depend on named schemas, no anonymous inline objects, and unique, stable operationIds.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@hey-api/openapi-ts";
import { generateSource } from "oazapfts";
import { generateApi } from "swagger-typescript-api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bundlePaths } from "../../scripts/bundle.js";
import { operationPaths } from "../../src/index.js";
import { root } from "../helpers/paths.js";
import { spec } from "../helpers/spec.js";

type Json = Record<string, any>;

/** Top-level operations (paths and webhooks), the ones generators turn into functions and types. */
function topLevelOperations(): Json[] {
  return [...Object.values<Json>(spec.paths), ...Object.values<Json>(spec.webhooks)].map((item) => item.post);
}

describe("@hey-api/openapi-ts", () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "antom-hey-api-"));
    await createClient({ input: bundlePaths.json, output: { path: out }, logs: { level: "silent" } });
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  test("its output type-checks with tsc --strict", async () => {
    await writeFile(
      join(out, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023", "DOM", "DOM.Iterable"],
          strict: true,
          noEmit: true,
          // The generated code itself is checked; the libraries' own declarations are not under test.
          skipLibCheck: true,
          types: [],
        },
        include: ["**/*.ts"],
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", join(out, "tsconfig.json")]).then(
      () => "",
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    expect(result).toBe("");
  });

  test("every named schema becomes a type of the same name, every operation a function named by its operationId", async () => {
    const types = await readFile(join(out, "types.gen.ts"), "utf8");
    const sdk = await readFile(join(out, "sdk.gen.ts"), "utf8");
    // Generators may change the case of an acronym (ThreeDSResult → ThreeDsResult); the name stays.
    const exported = new Set([...types.matchAll(/^export type (\w+) =/gm)].map((m) => m[1].toLowerCase()));
    const missing = Object.keys(spec.components.schemas).filter((name) => !exported.has(name.toLowerCase()));
    expect(missing).toEqual([]);
    const functions = [...sdk.matchAll(/^export const (\w+) =/gm)].map((m) => m[1]);
    expect(functions.sort()).toEqual(Object.keys(operationPaths).sort());
  });
});

// Two more generators. Several common ones read an "either field" rule (CancelRequest,
// InquiryPaymentRequest, Goods, PayRequest) badly: a top-level `anyOf` of bare `required` lists,
// or an `if` inside `allOf`, made oazapfts type the whole schema as `any`. The check is semantic:
// a wrongly typed field must not compile, which it would if the type had collapsed to `any`.
const FIELD_CHECKS = (module: string) => `
import type { CancelRequest, InquiryPaymentRequest, Goods, PayRequest } from "${module}";
export const cancel: CancelRequest = { paymentId: "2024", merchantAccountId: "M1" };
// @ts-expect-error paymentId is a string
export const cancelBad: CancelRequest = { paymentId: 2024 };
// @ts-expect-error merchantAccountId is a string
export const cancelBad2: CancelRequest = { paymentId: "2024", merchantAccountId: 1 };
export const inquiry: InquiryPaymentRequest = { paymentRequestId: "PAY_1" };
// @ts-expect-error paymentRequestId is a string
export const inquiryBad: InquiryPaymentRequest = { paymentRequestId: true };
export const goods: Goods = { goodsName: "Espresso machine", referenceGoodsId: "G1", crossSell: { goodsName: "Beans", referenceGoodsId: "G2" } };
// @ts-expect-error goodsName is a string
export const goodsBad: Goods = { goodsName: 1, referenceGoodsId: "G1" };
// @ts-expect-error the self-referencing crossSell keeps its type
export const goodsBad2: Goods = { goodsName: "Espresso machine", referenceGoodsId: "G1", crossSell: { goodsName: 1, referenceGoodsId: "G2" } };
// @ts-expect-error paymentRequestId is a string
export const payBad: Pick<PayRequest, "paymentRequestId"> = { paymentRequestId: 1 };
`;

async function typeCheck(dir: string): Promise<string> {
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2023", "DOM", "DOM.Iterable"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ["**/*.ts"],
    }),
  );
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  return promisify(execFile)(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")]).then(
    () => "",
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
}

describe.each([
  [
    "oazapfts",
    async (dir: string) => {
      await writeFile(join(dir, "api.ts"), await generateSource(bundlePaths.json, {}));
    },
  ],
  [
    "swagger-typescript-api",
    async (dir: string) => {
      await generateApi({ input: bundlePaths.json, output: dir, fileName: "api.ts", silent: true });
    },
  ],
])("%s", (_, generate) => {
  let out: string;
  beforeAll(async () => {
    // Inside node_modules, so that the generated code resolves its runtime (@oazapfts/runtime).
    out = await mkdtemp(join(root, "node_modules", ".cache-antom-generator-"));
    await generate(out);
    await writeFile(join(out, "check.ts"), FIELD_CHECKS("./api.js"));
  }, 60_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  test("CancelRequest, InquiryPaymentRequest, Goods and PayRequest keep their fields' types (not any)", async () => {
    expect(await typeCheck(out)).toBe("");
  }, 60_000);
});

describe("generator-friendly contract", () => {
  test("operationIds are unique across paths and webhooks, and are the ones the client relies on", () => {
    const ids = topLevelOperations().map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.values<Json>(spec.paths).map((item) => item.post.operationId)).toEqual(Object.keys(operationPaths));
  });

  test("every request and 200 response body is a named schema", () => {
    const unnamed: string[] = [];
    for (const op of topLevelOperations()) {
      const request = op.requestBody?.content?.["application/json"]?.schema;
      let response = op.responses?.["200"];
      if (response?.$ref) response = response.$ref.slice(2).split("/").reduce((n: Json, k: string) => n[k], spec);
      for (const [where, schema] of [["request", request], ["response", response?.content?.["application/json"]?.schema]]) {
        if (!schema?.$ref?.startsWith("#/components/schemas/")) unnamed.push(`${op.operationId} ${where}`);
      }
    }
    expect(unnamed).toEqual([]);
  });

  test("no anonymous inline objects inside the named schemas", () => {
    const accepted = new Set<string>();
    const inline: string[] = [];
    const walk = (node: unknown, path: string, top: boolean) => {
      if (node === null || typeof node !== "object") return;
      const n = node as Json;
      const isObject = n.type === "object" || (Array.isArray(n.type) && n.type.includes("object"));
      if (!top && isObject && n.properties && !accepted.has(path)) inline.push(path);
      for (const [key, value] of Object.entries(n)) {
        if (key === "examples" || key === "example") continue;
        walk(value, key === "properties" || key === "items" || /^\d+$/.test(key) || key === "anyOf" ? path : `${path}.${key}`, false);
      }
    };
    for (const [name, schema] of Object.entries<Json>(spec.components.schemas)) {
      for (const [prop, value] of Object.entries<Json>(schema.properties ?? {})) walk(value, `${name}.${prop}`, false);
    }
    expect(inline).toEqual([]);
  });
});
