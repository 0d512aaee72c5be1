// Each benchmark owns one section of docs/benchmarks.md, between `<!-- name:start -->` and
// `<!-- name:end -->`, and rewrites only that section, keeping the others as they are.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));

/** Replaces (or appends) the named section of docs/benchmarks.md with `body`. */
export function writeSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const current = existsSync(FILE) ? readFileSync(FILE, "utf8") : "# Benchmarks\n";
  const next = current.includes(start)
    ? current.slice(0, current.indexOf(start)) + section + current.slice(current.indexOf(end) + end.length)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, next);
  console.log(`Wrote the ${name} section of docs/benchmarks.md`);
}
