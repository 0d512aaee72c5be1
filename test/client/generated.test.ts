import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { buildTypes, typesPaths } from "../../scripts/generate-types.js";
import { spec } from "../helpers/spec.js";

test("generated/antom.d.ts and generated/result-codes.ts match what `npm run generate` produces", async () => {
  const { types, resultCodes } = await buildTypes();
  // On failure: run `npm run generate` and commit generated/.
  expect(readFileSync(typesPaths.types, "utf8")).toBe(types);
  expect(readFileSync(typesPaths.resultCodes, "utf8")).toBe(resultCodes);
});

test("generated/antom.d.ts has paths, webhooks, components and operations for the whole contract", () => {
  const types = readFileSync(typesPaths.types, "utf8");
  for (const block of ["paths", "webhooks", "components", "operations"]) expect(types).toMatch(new RegExp(`^export interface ${block} \\{`, "m"));
  for (const path of Object.keys(spec.paths)) expect(types).toContain(`    "${path}": {`);
  for (const name of Object.keys(spec.webhooks)) expect(types).toMatch(new RegExp(`^    ${name}: \\{`, "m"));
  for (const name of Object.keys(spec.components.schemas)) expect(types).toContain(`export type ${name} = components['schemas']['${name}'];`);
});

test("every known result code of every operation is in generated/result-codes.ts under its status", () => {
  const text = readFileSync(typesPaths.resultCodes, "utf8");
  for (const item of [...Object.values<any>(spec.paths), ...Object.values<any>(spec.webhooks)]) {
    const op = item.post;
    const block = new RegExp(`^  ${op.operationId}: \\{\\n([\\s\\S]*?)\\n  \\};`, "m").exec(text)?.[1] ?? "";
    for (const status of ["S", "F", "U"]) {
      const section = new RegExp(`^    ${status}:([\\s\\S]*?);`, "m").exec(block)?.[1] ?? "";
      const listed = [...section.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]).sort();
      const expected = [...new Set<string>((op["x-result-codes"] ?? []).filter((c: any) => c.resultStatus === status).map((c: any) => c.resultCode))].sort();
      expect(listed, `${op.operationId} ${status}`).toEqual(expected);
    }
  }
});
