// Arrows run one way: the protocol core imports only generated/ and libraries; the client and
// the sandbox stand on the core and never on each other, the conformance suite or the scripts.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** The project folders a file imports from, e.g. `src/core`, `generated`, `conformance`. */
function importedLayers(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specifiers.map((s) => {
    const target = relative(root, resolve(root, dirname(file), s)).split("/");
    return target[0] === "src" ? `src/${target[1]}` : target[0];
  });
}

describe("imports run downward", () => {
  test.each(sources("src/core"))("%s imports only the core and generated/", (file) => {
    for (const layer of importedLayers(file)) expect(["src/core", "generated"]).toContain(layer);
  });

  test.each(sources("src/client"))("%s imports only the client, the core and generated/", (file) => {
    for (const layer of importedLayers(file)) expect(["src/client", "src/core", "generated"]).toContain(layer);
  });

  test.each(sources("src/sandbox"))("%s imports only the sandbox, the core and generated/", (file) => {
    for (const layer of importedLayers(file)) expect(["src/sandbox", "src/core", "generated"]).toContain(layer);
  });

  test("nothing under src/ imports from conformance/, scripts/ or test/", () => {
    for (const file of sources("src")) {
      for (const layer of importedLayers(file)) expect(["conformance", "scripts", "test", "bench", "examples"], file).not.toContain(layer);
    }
  });
});
