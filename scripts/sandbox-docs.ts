// The test-card tables of docs/sandbox.md, rendered from the sandbox's own list
// (src/sandbox/test-cards.ts: TEST_CARDS and TEST_INPUT_RULES), between
// <!-- sandbox-cards:start --> and <!-- sandbox-cards:end -->. test/docs/sandbox.test.ts fails
// when the doc and the module disagree; `npx tsx scripts/sandbox-docs.ts` rewrites the block.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_CARDS, TEST_INPUT_RULES, type TestCard } from "../src/sandbox/test-cards.js";
import { markdownCell } from "./bundle.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const sandboxDocPath = resolve(root, "docs", "sandbox.md");
export const CARDS_START = "<!-- sandbox-cards:start -->";
export const CARDS_END = "<!-- sandbox-cards:end -->";

/** What pay answers for a card, in Antom's terms. */
export function outcomeText(card: TestCard): string {
  const single = card.multiCapture === false ? "; one capture only (a second gets `MULTI_CAPTURE_NOT_SUPPORTED`)" : "";
  switch (card.outcome.kind) {
    case "authorize":
      return `\`S\` / \`SUCCESS\`${single}`;
    case "frictionless":
      return `\`S\` / \`SUCCESS\`, \`threeDSResult\` with \`challenged: false\`${single}`;
    case "challenge":
      return `\`U\` / \`PAYMENT_IN_PROCESS\` with \`normalUrl\` (a 3-D Secure challenge)${single}`;
    case "decline":
      return `\`${card.outcome.resultStatus ?? "F"}\` / \`${card.outcome.resultCode}\`${single}`;
  }
}

const source = (value: "antom" | "sandbox") => (value === "antom" ? "Antom" : "sandbox");

/** The two tables: the cards, then the rules that hold for any card. */
export function sandboxCardTables(): string {
  const cards = [
    "| Card number | Brand | Funding | Issuing country | pay answers | Source | Description |",
    "|---|---|---|---|---|---|---|",
    ...TEST_CARDS.map((card) =>
      [`\`${card.cardNo}\``, card.brand, card.funding, card.issuingCountry, outcomeText(card), source(card.source), markdownCell(card.description)].join(" | "),
    ).map((row) => `| ${row} |`),
  ];
  const rules = [
    "| When | pay answers | Source |",
    "|---|---|---|",
    ...TEST_INPUT_RULES.map((rule) => `| ${markdownCell(rule.when)} | \`F\` / \`${rule.resultCode}\` | ${source(rule.source)} |`),
  ];
  return [CARDS_START, "", ...cards, "", "Rules that hold for any card, checked before the card's own outcome:", "", ...rules, "", CARDS_END].join("\n");
}

/** The doc with its card block replaced by the current tables. */
export function withSandboxCardTables(markdown: string): string {
  const start = markdown.indexOf(CARDS_START);
  const end = markdown.indexOf(CARDS_END);
  if (start < 0 || end < start) throw new Error(`docs/sandbox.md has no ${CARDS_START} ... ${CARDS_END} block`);
  return markdown.slice(0, start) + sandboxCardTables() + markdown.slice(end + CARDS_END.length);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(sandboxDocPath, withSandboxCardTables(readFileSync(sandboxDocPath, "utf8")));
  console.log("wrote the test-card tables of docs/sandbox.md");
}
