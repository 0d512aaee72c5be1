// `npm run docs`: builds the API reference, docs/site/index.html, from the bundled contract with
// Redocly CLI (`build-docs`). The page must work offline, so:
//   - Redoc's scripts are inlined (`--inlineBundle`), never loaded from Redocly's CDN;
//   - the "API docs by Redocly" badge points at a logo on a CDN: it is swapped for an inline SVG;
//   - a data: favicon stops the browser asking the server for /favicon.ico.
// Links from descriptions to the guides are written from the repository root (`docs/signing.md`);
// the page lives in docs/site/, so they become `../signing.md`.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const redocly = join(root, "node_modules", ".bin", "redocly");

export const referencePaths = {
  spec: join(root, "generated", "openapi.json"),
  /** Served as the documentation root: the guides, and the reference in site/. */
  docs: join(root, "docs"),
  site: join(root, "docs", "site"),
  page: join(root, "docs", "site", "index.html"),
};

/** Bump when the post-processing below changes, so pages built by an older script count as stale. */
const BUILD_VERSION = "1";
const STAMP = /<meta name="antom-reference-source" content="([^"]+)">/;

const REDOCLY_LOGOS = [
  "https://cdn.redoc.ly/redoc/logo-mini-full.svg",
  "https://cdn.redoc.ly/redoc/logo-mini.svg",
];
// A plain wordmark keeps the attribution badge readable without fetching anything.
const INLINE_LOGO = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="52" height="14" viewBox="0 0 52 14">' +
    '<text x="0" y="11" font-family="sans-serif" font-size="11" font-weight="600" fill="#0044d4">Redocly</text></svg>',
)}`;

type Json = Record<string, any>;

/** What a page built from `specText` carries in its stamp: the spec's hash and the build version. */
export function sourceStamp(specText: string): string {
  return `sha256:${createHash("sha256").update(BUILD_VERSION).update("\0").update(specText).digest("hex")}`;
}

/** Rewrites guide links `](docs/x.md)` (relative to the repository) to `](../x.md)` (relative to docs/site/). */
export function rewriteGuideLinks(markdown: string): string {
  return markdown.replace(/\]\(docs\/(?!site\/)([^)\s]+)\)/g, "](../$1)");
}

/** The guide files (relative to docs/) that descriptions link to, after rewriting. */
export function guideLinkTargets(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node === "string") {
    for (const m of node.matchAll(/\]\(\.\.\/([^)#\s]+)[^)]*\)/g)) found.add(m[1]);
  } else if (node && typeof node === "object") {
    for (const value of Object.values(node)) guideLinkTargets(value, found);
  }
  return found;
}

function rewriteDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteDescriptions);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node as Json).map(([key, value]) => [
      key,
      key === "description" && typeof value === "string" ? rewriteGuideLinks(value) : rewriteDescriptions(value),
    ]),
  );
}

/** Makes Redoc's static page self-contained; throws if a known CDN reference survives. */
export function makeOffline(html: string, stamp: string): string {
  let out = html;
  for (const logo of REDOCLY_LOGOS) out = out.split(logo).join(INLINE_LOGO);
  if (!out.includes("<head>")) throw new Error("build-docs output has no <head>: cannot make the page offline");
  out = out.replace(
    "<head>",
    `<head>\n  <link rel="icon" href="data:,">\n  <meta name="antom-reference-source" content="${stamp}">`,
  );
  const leftover = out.match(/https:\/\/cdn\.redoc\.ly\/[^`"'\s)]*/);
  if (leftover) throw new Error(`the page still loads ${leftover[0]} from a CDN; extend makeOffline in scripts/reference.ts`);
  return out;
}

/** Whether docs/site/index.html is missing or was built from another bundle. */
export async function referenceIsStale(): Promise<boolean> {
  const [spec, page] = await Promise.all([
    readFile(referencePaths.spec, "utf8"),
    readFile(referencePaths.page, "utf8").catch(() => undefined),
  ]);
  if (page === undefined) return true;
  return page.match(STAMP)?.[1] !== sourceStamp(spec);
}

/** Builds docs/site/index.html from generated/openapi.json. */
export async function buildReference(): Promise<{ page: string; bytes: number }> {
  const specText = await readFile(referencePaths.spec, "utf8");
  const spec = rewriteDescriptions(JSON.parse(specText));
  const missing = [...guideLinkTargets(spec)].filter((target) => !existsSync(join(referencePaths.docs, target)));
  if (missing.length) throw new Error(`the API description links to guides that do not exist in docs/: ${missing.join(", ")}`);
  const dir = await mkdtemp(join(tmpdir(), "antom-reference-"));
  try {
    const input = join(dir, "openapi.json");
    const output = join(dir, "index.html");
    await writeFile(input, JSON.stringify(spec));
    await promisify(execFile)(
      redocly,
      [
        "build-docs",
        input,
        "--inlineBundle",
        "--output",
        output,
        "--title",
        "Antom card payments: API reference",
        "--config",
        join(root, "redocly.yaml"),
      ],
      {
        cwd: root,
        // No telemetry and no update check: building the docs reaches nothing on the network.
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const html = makeOffline(await readFile(output, "utf8"), sourceStamp(specText));
    await mkdir(referencePaths.site, { recursive: true });
    await writeFile(referencePaths.page, html);
    return { page: referencePaths.page, bytes: Buffer.byteLength(html) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds the reference only when it is missing or stale; says whether it built. */
export async function ensureReference(): Promise<boolean> {
  if (!(await referenceIsStale())) return false;
  await buildReference();
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { page, bytes } = await buildReference();
    console.log(`Built the API reference (${Math.round(bytes / 1024)} KiB, works offline):\n  ${page}`);
    console.log("Open it as a file, or run `npm start` to serve it with the mock.");
  } catch (error: any) {
    console.error(`Could not build the API reference: ${error?.stderr || error?.message || error}`);
    process.exit(1);
  }
}
