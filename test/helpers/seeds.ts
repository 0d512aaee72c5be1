import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root, seedsDir } from "./paths.js";

export interface SeedSample {
  /** Seed guide the sample comes from, by its file-name prefix, e.g. `004`. */
  seed: string;
  /** Position of the sample within its guide, from 0. */
  index: number;
  value: unknown;
}

/** The JSON samples of Antom's guides, kept in the repository so the suite runs on any clone. */
export const samplesDir = join(root, "test", "fixtures", "seed-samples");

export function seedSamples(): SeedSample[] {
  return readdirSync(samplesDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const [seed, index] = f.replace(/\.json$/, "").split("-");
      return { seed, index: Number(index), value: JSON.parse(readFileSync(join(samplesDir, f), "utf8")) };
    });
}

/** Whether the guides themselves are beside the repository (../shared/seeds), as in CI. */
export const guidesPresent = existsSync(seedsDir);

/** Reads one JSON value starting at `start` (which must be `{`), honouring strings and escapes. */
function readJsonObject(text: string, start: number): string {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error(`unbalanced JSON from offset ${start}`);
}

/** Every JSON sample in the guides themselves: each follows a `copy` line (the page's copy button). */
export function samplesInGuides(): SeedSample[] {
  const out: SeedSample[] = [];
  for (const file of readdirSync(seedsDir).sort()) {
    const text = readFileSync(join(seedsDir, file), "utf8");
    let index = 0;
    for (const match of text.matchAll(/^copy\s*\n\s*\{/gm)) {
      const start = match.index! + match[0].length - 1;
      out.push({ seed: file.slice(0, 3), index: index++, value: JSON.parse(readJsonObject(text, start)) });
    }
  }
  return out;
}
