// docs/sandbox.md must stay true to the sandbox: its test-card tables are the ones rendered from
// src/sandbox/test-cards.ts, and the facts it repeats (control API endpoints, redelivery
// schedule, flags) match the code and openapi/sandbox.yaml.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, test } from "vitest";
import { CARDS_END, CARDS_START, outcomeText, sandboxCardTables, sandboxDocPath, withSandboxCardTables } from "../../scripts/sandbox-docs.js";
import { USAGE } from "../../src/sandbox/cli.js";
import { REDELIVERY_SCHEDULE_MS } from "../../src/sandbox/notifier.js";
import { TEST_CARDS, TEST_INPUT_RULES } from "../../src/sandbox/test-cards.js";
import { root } from "../helpers/paths.js";

const doc = readFileSync(sandboxDocPath, "utf8");

describe("docs/sandbox.md", () => {
  test("its test-card tables are the ones rendered from src/sandbox/test-cards.ts", () => {
    const block = doc.slice(doc.indexOf(CARDS_START), doc.indexOf(CARDS_END) + CARDS_END.length);
    // On failure: run `npx tsx scripts/sandbox-docs.ts` and commit docs/sandbox.md.
    expect(block, "docs/sandbox.md's test cards are stale: run npx tsx scripts/sandbox-docs.ts").toBe(sandboxCardTables());
  });

  test("the rendered table has a row per card and per rule, with the card's outcome", () => {
    const tables = sandboxCardTables();
    for (const card of TEST_CARDS) {
      const row = tables.split("\n").find((line) => line.startsWith(`| \`${card.cardNo}\` |`));
      expect(row, card.cardNo).toBeDefined();
      expect(row).toContain(outcomeText(card));
      if (card.outcome.kind === "decline") expect(row).toContain(card.outcome.resultCode);
    }
    for (const rule of TEST_INPUT_RULES) expect(tables).toContain(`\`F\` / \`${rule.resultCode}\``);
  });

  test("a card added to the module makes the check fail", () => {
    const stale = withSandboxCardTables(doc).replace(/^\| `4054695723100768` .*\n/m, "");
    expect(stale).not.toBe(withSandboxCardTables(doc));
    expect(stale.slice(stale.indexOf(CARDS_START), stale.indexOf(CARDS_END) + CARDS_END.length)).not.toBe(sandboxCardTables());
  });

  test("every control API endpoint of openapi/sandbox.yaml is in the control API table", () => {
    const api = parseYaml(readFileSync(join(root, "openapi", "sandbox.yaml"), "utf8")) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, item] of Object.entries(api.paths)) {
      for (const method of Object.keys(item).filter((m) => ["get", "post", "put", "delete", "patch"].includes(m))) {
        const shown = `| \`${method.toUpperCase()} ${path}`;
        expect(doc, `${method.toUpperCase()} ${path}`).toContain(shown);
      }
    }
  });

  test("the redelivery schedule is the notifier's", () => {
    const label = (ms: number) => (ms === 0 ? "0 s (at once)" : ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms / 60_000} min`);
    expect(doc).toContain(`| After the previous one | ${REDELIVERY_SCHEDULE_MS.map(label).join(" | ")} |`);
  });

  test("every flag of the usage text is documented", () => {
    for (const [, flag] of USAGE.matchAll(/^ {2}(--[a-z-]+)/gm)) expect(doc, flag).toContain(`\`${flag}`);
  });

  test("each flow is a sequence diagram whose messages name declared participants", () => {
    const diagrams = [...doc.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
    // Automatic capture, manual capture, challenge, hosted page, expiry, redelivery, dispute, token, retry.
    expect(diagrams).toHaveLength(9);
    for (const diagram of diagrams) {
      const lines = diagram.trimEnd().split("\n");
      expect(lines[0]).toBe("sequenceDiagram");
      const declared = new Set(lines.map((l) => /^ {2}participant (\w+) as /.exec(l)?.[1]).filter(Boolean));
      for (const line of lines.slice(1)) {
        // A semicolon ends a statement in Mermaid and would cut a message short.
        expect(line, line).not.toContain(";");
        const arrow = /^ {2,}(\w+)-?->>(\w+): \S/.exec(line);
        if (arrow) {
          expect(declared, line).toContain(arrow[1]);
          expect(declared, line).toContain(arrow[2]);
        } else expect(line, line).toMatch(/^ {2,}(participant \w+ as .+|Note over \w+(,\w+)?: .+|alt .+|else .+|end)$/);
      }
    }
  });

  test("relative links resolve", () => {
    const text = doc.replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
      expect(existsSync(resolve(root, "docs", target.split("#")[0])), target).toBe(true);
    }
  });

  test("in-page links point at headings", () => {
    const headings = new Set(
      [...doc.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-")),
    );
    for (const [, anchor] of doc.matchAll(/\]\(#([^)]+)\)/g)) expect(headings, anchor).toContain(anchor);
  });

  test("the benchmarks link points at the sandbox's section", () => {
    expect(doc).toContain("(benchmarks.md#the-sandbox-post-pay)");
    expect(readFileSync(join(root, "docs", "benchmarks.md"), "utf8")).toContain("## The sandbox: POST pay");
  });
});
