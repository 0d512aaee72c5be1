// The tables in docs/ and README.md that come from the contract must match what
// `npm run generate:docs` writes from the committed bundle, and the generator itself must
// render what the contract says.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, test } from "vitest";
import { markdownCell } from "../../scripts/bundle.js";
import {
  fieldsDoc,
  firstSentence,
  generatedDocs,
  readmeScenarios,
  resultCodesDoc,
  scenariosDoc,
  withReadmeBlock,
} from "../../scripts/docs.js";
import { root } from "../helpers/paths.js";
import { spec } from "../helpers/spec.js";

describe("generated docs are up to date", () => {
  test.each(generatedDocs(spec).map((doc) => [relative(root, doc.path), doc.text] as const))("%s", (path, text) => {
    // On failure: run `npm run generate:docs` (or `npm run generate`) and commit the result.
    expect(readFileSync(`${root}/${path}`, "utf8"), `${path} is stale: run npm run generate:docs`).toBe(text);
  });
});

describe("the generator", () => {
  test("result-codes.md has a row for every code of every operation and notification, flags included", () => {
    const doc = resultCodesDoc(spec);
    const sections = doc.split(/^## /m).slice(1);
    const ops = [
      ...Object.values<any>(spec.paths).map((item) => item.post),
      ...Object.values<any>(spec.webhooks).map((item) => item.post),
    ];
    expect(sections.map((s) => s.split("\n")[0])).toEqual(ops.map((op) => op.operationId));
    for (const [i, op] of ops.entries()) {
      const rows = sections[i].split("\n").filter((line) => line.startsWith("| `"));
      const codes: any[] = op["x-result-codes"] ?? [];
      expect(rows).toHaveLength(codes.length);
      codes.forEach((c, j) => {
        expect(rows[j].startsWith(`| \`${c.resultCode}\` | \`${c.resultStatus}\` |`)).toBe(true);
        const flags = [c.common ? "common" : "", c.unconfirmed ? "unconfirmed" : ""].filter(Boolean).join(", ");
        expect(rows[j].endsWith(`| ${flags} |`), rows[j]).toBe(true);
      });
    }
  });

  test("scenarios.md names each outcome the mock can select, with its result", () => {
    const doc = scenariosDoc(spec);
    const capture = spec.paths["/v1/payments/capture"].post.responses["200"].content["application/json"].examples;
    for (const [name, example] of Object.entries<any>(capture)) {
      expect(doc).toContain(`| \`${name}\``);
      expect(doc).toContain(`| \`${example.value.result.resultStatus}\` | \`${example.value.result.resultCode}\` |`);
    }
    expect(readmeScenarios(spec)).toMatch(/^\| `pay` \| `success`, /m);
  });

  test("fields.md lists every model and every property with its constraints", () => {
    const doc = fieldsDoc(spec);
    for (const [name, schema] of Object.entries<any>(spec.components.schemas)) {
      expect(doc).toContain(`\n## ${name}\n`);
      for (const property of Object.keys(schema.properties ?? {})) expect(doc, `${name}.${property}`).toContain(`| \`${property}\` |`);
    }
    expect(doc).toMatch(/\| `currency` \| string \| yes \| maxLength 3; pattern `\^\[A-Z\]\{3\}\$` \|/);
    expect(doc).toContain("At least one of `paymentId`, `paymentRequestId` is required.");
  });

  test("first sentences skip abbreviations and code spans; cells stay on one line", () => {
    expect(firstSentence("Amount in minor units, e.g. `100`. More text.")).toBe("Amount in minor units, e.g. `100`.");
    expect(firstSentence("Uses `a. B` inside code. Next.")).toBe("Uses `a. B` inside code.");
    expect(firstSentence("No period at all")).toBe("No period at all");
    expect(markdownCell("a | b\n  c")).toBe("a \\| b c");
  });

  test("the README block is replaced only between its markers, and missing markers are an error", () => {
    const readme = "intro\n<!-- scenarios:start -->\nold\n<!-- scenarios:end -->\noutro\n";
    expect(withReadmeBlock(readme, "new")).toBe("intro\n<!-- scenarios:start -->\nnew\n<!-- scenarios:end -->\noutro\n");
    expect(() => withReadmeBlock("no markers", "new")).toThrow(/scenarios:start/);
  });
});
