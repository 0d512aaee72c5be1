// The guides in docs/ must stay true to the contract: their links resolve, the mock outcomes they
// name exist, and the facts they repeat (redelivery schedule, acknowledgement) match the bundle.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { root } from "../helpers/paths.js";
import { spec } from "../helpers/spec.js";

const docsDir = join(root, "docs");
const GUIDES = ["quick-start.md", "signing.md", "card-flows.md", "results-and-retries.md", "notifications.md", "test-cards.md", "mock.md"];
const read = (name: string) => readFileSync(join(docsDir, name), "utf8");
// The hand-written guides and the generated tables (other pages in docs/ have their own owners).
const markdownFiles = [...GUIDES, "result-codes.md", "scenarios.md", "fields.md"];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-"));
  }
  return out;
}

/** Named examples by operation: request and response examples of operations, messages of notifications. */
function examplesByOperation(): Map<string, { requests: Set<string>; responses: Set<string> }> {
  const map = new Map<string, { requests: Set<string>; responses: Set<string> }>();
  const ops = [...Object.values<any>(spec.paths), ...Object.values<any>(spec.webhooks)].map((item) => item.post);
  for (const op of ops) {
    map.set(op.operationId, {
      requests: new Set(Object.keys(op.requestBody?.content?.["application/json"]?.examples ?? {})),
      responses: new Set(Object.keys(op.responses?.["200"]?.content?.["application/json"]?.examples ?? {})),
    });
  }
  return map;
}

describe("guides", () => {
  test("every guide exists and is linked from the quick start", () => {
    const quickStart = read("quick-start.md");
    for (const guide of GUIDES) {
      expect(existsSync(join(docsDir, guide)), guide).toBe(true);
      if (guide !== "quick-start.md") expect(quickStart, guide).toContain(`](${guide})`);
    }
  });

  test.each(markdownFiles)("relative links in %s resolve, anchors included", (file) => {
    const text = read(file).replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, anchor] = target.split("#");
      const resolved = path ? resolve(docsDir, path) : join(docsDir, file);
      // The reference is built, not committed: link to it only where the build is explained.
      if (path === "site/index.html") continue;
      expect(existsSync(resolved), `${file} links to ${target}`).toBe(true);
      if (anchor && resolved.endsWith(".md")) {
        expect(anchors(readFileSync(resolved, "utf8")), `${file} links to ${target}`).toContain(anchor);
      }
    }
  });

  test("every 'Mock outcomes' line names examples the contract has", () => {
    const examples = examplesByOperation();
    let checked = 0;
    for (const guide of GUIDES) {
      const text = read(guide).replace(/\n\s*/g, " ");
      for (const [, list] of text.matchAll(/Mock outcomes: (.+?)\./g)) {
        for (const part of list.split(";")) {
          const m = /^\s*(\w+)( requests?)? (.+)$/.exec(part);
          expect(m, `${guide}: "${part}"`).not.toBeNull();
          const [, operationId, isRequest, names] = m!;
          const known = examples.get(operationId);
          expect(known, `${guide}: ${operationId} is an operation or notification`).toBeDefined();
          const pool = isRequest || operationId.startsWith("notify") ? known!.requests : known!.responses;
          for (const [, name] of names.matchAll(/`(\w+)`/g)) {
            expect(pool.has(name), `${guide}: ${operationId} ${isRequest ? "request " : ""}example ${name}`).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  test("every `Prefer: example=<name>` with a concrete name is an outcome of some operation", () => {
    const outcomes = new Set([...examplesByOperation().values()].flatMap((e) => [...e.responses]));
    for (const guide of [...GUIDES, "../README.md"]) {
      for (const [, name] of read(guide).matchAll(/example=(\w+)/g)) {
        if (name === "unknown") continue;
        expect(outcomes.has(name), `${guide}: example=${name}`).toBe(true);
      }
    }
  });

  test("the card flows are drawn as sequence diagrams", () => {
    const diagrams = [...read("card-flows.md").matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(diagrams).toHaveLength(5);
    for (const d of diagrams) {
      expect(d.startsWith("sequenceDiagram\n")).toBe(true);
      expect(d).toMatch(/->>Antom: (pay|cancel|capture)/);
    }
  });

  test("notifications.md repeats the contract's redelivery schedule and acknowledgement", () => {
    const tag = spec.tags.find((t: any) => t.name === "Notifications").description.replace(/\s+/g, " ");
    const schedule = /after (0 s(?:, [^)]+?)) and (\d+ h)/.exec(tag)!;
    const guide = read("notifications.md").replace(/\s+/g, " ");
    expect(guide).toContain(`after ${schedule[1]} and ${schedule[2]}`);
    expect(guide).toContain("**8 times within 24 hours**");
    const ack = spec.components.responses.NotificationAck.content["application/json"].examples.acknowledged.value;
    expect(guide).toContain(JSON.stringify(ack));
  });

  test("test-cards.md lists only the sandbox's test numbers, and the contract's examples use them", () => {
    const numbers = [...read("test-cards.md").matchAll(/`(\d{15,19})`/g)].map((m) => m[1]);
    expect(numbers.length).toBeGreaterThanOrEqual(9);
    // Every listed number passes the Luhn check except Korean domestic ones, which need not.
    const luhn = (n: string) =>
      [...n].reverse().reduce((sum, ch, i) => sum + (i % 2 ? ((d) => (d > 9 ? d - 9 : d))(Number(ch) * 2) : Number(ch)), 0) % 10 === 0;
    for (const n of numbers.filter((n) => !n.startsWith("9490"))) expect(luhn(n), n).toBe(true);
    const raw = spec.paths["/v1/payments/pay"].post.requestBody.content["application/json"].examples.rawCard.value;
    expect(numbers).toContain(raw.paymentMethod.paymentMethodMetaData.cardNo);
  });
});
