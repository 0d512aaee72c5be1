// `npm run docs`: builds the API reference, docs/site/index.html, from the bundled contract with
// Redocly CLI (`build-docs`). The page must work offline, so:
//   - Redoc's scripts are inlined (`--inlineBundle`), never loaded from Redocly's CDN;
//   - the "API docs by Redocly" badge points at a logo on a CDN: it is swapped for an inline SVG;
//   - a data: favicon stops the browser asking the server for /favicon.ico.
//   - result codes in tables never break mid-word, and the search index keeps the spaces that
//     line breaks and table cells stand for (Redoc glues "safe and\nreturns" into "andreturns").
// The guides (docs/*.md) are rendered beside it as HTML pages of the same look, docs/site/<name>.html,
// so a guide link opens a page, not raw Markdown. Links from descriptions to the guides are
// written from the repository root (`docs/signing.md`); they become `signing.html`.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { Marked, type Tokens } from "marked";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { promisify } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const redocly = join(root, "node_modules", ".bin", "redocly");

export const referencePaths = {
  spec: join(root, "generated", "openapi.json"),
  /** Served as the documentation root: the guides, and the reference in site/. */
  docs: join(root, "docs"),
  site: join(root, "docs", "site"),
  page: join(root, "docs", "site", "index.html"),
  /** The sandbox's control API, rendered beside the reference. */
  controlSpec: join(root, "openapi", "sandbox.yaml"),
  controlPage: join(root, "docs", "site", "sandbox-api.html"),
};

/** Bump when the post-processing below changes, so pages built by an older script count as stale. */
const BUILD_VERSION = "2";
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

/**
 * What a page built from `specText` (and `guidesText`, the guides' Markdown) carries in its
 * stamp: their hash and the build version.
 */
export function sourceStamp(specText: string, guidesText = ""): string {
  return `sha256:${createHash("sha256").update(BUILD_VERSION).update("\0").update(specText).update("\0").update(guidesText).digest("hex")}`;
}

/** Rewrites guide links `](docs/x.md#a)` (relative to the repository) to `](x.html#a)`, the guide's page beside the reference. */
export function rewriteGuideLinks(markdown: string): string {
  return markdown.replace(/\]\(docs\/(?!site\/)([^)\s#]+)\.md(#[^)\s]*)?\)/g, "]($1.html$2)").replace(/\]\(docs\/site\/([^)\s]+)\)/g, "]($1)");
}

/** The guides (`x.md`, in docs/) that descriptions link to, after rewriting. */
export function guideLinkTargets(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node === "string") {
    for (const m of node.matchAll(/\]\(([\w.-]+)\.html(?:#[^)\s]*)?\)/g)) if (m[1] !== "index") found.add(`${m[1]}.md`);
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
      key === "description" && typeof value === "string" ? breakCodesAtUnderscores(rewriteGuideLinks(value)) : rewriteDescriptions(value),
    ]),
  );
}

/**
 * In table rows, a code such as `DO_NOT_HONOR` becomes `<code>DO_<wbr>NOT_<wbr>HONOR</code>`: with
 * TABLE_CODE_CSS it may wrap after an underscore and nowhere else (copying it gives the code).
 */
export function breakCodesAtUnderscores(markdown: string): string {
  return markdown.replace(/^\|.*\|[ \t]*$/gm, (row) =>
    row.replace(/`([A-Za-z0-9]+(?:_[A-Za-z0-9]+)+)`/g, (_all, code: string) => `<code>${code.replace(/_/g, "_<wbr>")}</code>`),
  );
}

/** Codes in tables (result codes, enums) never break mid-word (`DO_NOT_HONO` / `R`): only at a `<wbr>`, if any. */
export const TABLE_CODE_CSS = "td code, th code { word-break: keep-all !important; overflow-wrap: normal !important; }";
const REFERENCE_CSS = `${TABLE_CODE_CSS} table { display: block !important; max-width: 100% !important; overflow-x: auto !important; }`;

/**
 * Redoc's search indexes a description by joining the text of its Markdown nodes with nothing
 * between them, so a line break or a table cell boundary glues two words ("safe andreturns").
 * This adds a space after line breaks and block nodes (paragraphs, list items, cells, headings).
 * Throws when Redoc's code changed shape, so an upgrade cannot silently drop the fix.
 */
export function keepSearchSpaces(html: string): string {
  const collector = /typeof (\w+)\.attributes\?\.content==`string`&&(\w+)\.push\(\1\.attributes\.content\);for\(let (\w+) of \1\.children\?\?\[\]\)(\w+)\(\3\)/g;
  const found = [...html.matchAll(collector)];
  if (found.length !== 1) throw new Error(`Redoc's search text collector was found ${found.length} times, not once; update keepSearchSpaces in scripts/reference.ts`);
  return html.replace(collector, (all, node, list) => `${all};/^(softbreak|hardbreak|paragraph|item|td|th|heading|fence|blockquote)$/.test(${node}.type)&&${list}.push(\` \`)`);
}

/** Makes Redoc's static page self-contained; throws if a known CDN reference survives. */
export function makeOffline(html: string, stamp: string): string {
  let out = html;
  for (const logo of REDOCLY_LOGOS) out = out.split(logo).join(INLINE_LOGO);
  if (!out.includes("<head>")) throw new Error("build-docs output has no <head>: cannot make the page offline");
  out = out.replace(
    "<head>",
    `<head>\n  <link rel="icon" href="data:,">\n  <meta name="antom-reference-source" content="${stamp}">\n  <style>${REFERENCE_CSS}</style>`,
  );
  out = keepSearchSpaces(out);
  const leftover = out.match(/https:\/\/cdn\.redoc\.ly\/[^`"'\s)]*/);
  if (leftover) throw new Error(`the page still loads ${leftover[0]} from a CDN; extend makeOffline in scripts/reference.ts`);
  return out;
}

/** The order of the guides in the pages' sidebar; other docs/*.md pages follow, by name. */
const GUIDE_ORDER = [
  "quick-start.md", "signing.md", "card-flows.md", "results-and-retries.md", "notifications.md", "test-cards.md", "mock.md", "conformance.md",
  "result-codes.md", "scenarios.md", "fields.md", "decisions.md", "coverage.md", "benchmarks.md",
];

/** Every Markdown page of docs/, in sidebar order. */
export function guideFiles(): string[] {
  const all = readdirSync(referencePaths.docs).filter((f) => f.endsWith(".md"));
  const rank = (f: string) => (GUIDE_ORDER.includes(f) ? GUIDE_ORDER.indexOf(f) : GUIDE_ORDER.length);
  return all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function guidesText(): Promise<string> {
  const texts = await Promise.all(guideFiles().map(async (f) => `${f}\0${await readFile(join(referencePaths.docs, f), "utf8")}`));
  // The control API's page is part of the site too.
  texts.push(`sandbox.yaml\0${await readFile(referencePaths.controlSpec, "utf8")}`);
  return texts.join("\0");
}

/** GitHub's heading anchors, as the guides link to them: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

/**
 * A link of a guide (relative to docs/), as its page in docs/site/ needs it: another guide's
 * Markdown becomes its page, the reference stays the reference, other files are reached from
 * docs/site/ (`../signing-example/`); absolute links and anchors are left alone.
 */
export function guidePageHref(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("#") || href.startsWith("/")) return href;
  const [path, anchor] = href.split("#", 2);
  const suffix = anchor === undefined ? "" : `#${anchor}`;
  if (path.startsWith("site/")) return path.slice("site/".length) + suffix;
  if (/^[\w.-]+\.md$/.test(path) && existsSync(join(referencePaths.docs, path))) return `${path.slice(0, -3)}.html${suffix}`;
  return `../${path}${suffix}`;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The first `# ` heading of a page, without Markdown marks. */
export function guideTitle(markdown: string, file: string): string {
  return /^# (.+)$/m.exec(markdown)?.[1].replace(/[`*_]/g, "").trim() ?? basename(file, ".md");
}

const GUIDE_CSS = `
:root { --font: system-ui, -apple-system, BlinkMacSystemFont, 'Segoe UI', 'Roboto', 'Oxygen', 'Ubuntu', 'Cantarell', 'Fira Sans', 'Droid Sans', 'Helvetica Neue', Arial, sans-serif;
  --mono: 'SFMono-Regular', Consolas, 'Liberation Mono', Menlo, Courier, monospace; --text: #22242b; --muted: #5c6170; --link: #0044d4; --border: #e4e5e7; --layer: #f7f7f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/22px var(--font); color: var(--text); background: #fff; display: flex; min-height: 100vh; }
nav { width: 285px; flex: none; border-right: 1px solid var(--border); padding: 16px; position: sticky; top: 0; height: 100vh; overflow-y: auto; }
nav a { display: block; padding: 6px 12px; border-radius: 6px; color: var(--text); text-decoration: none; }
nav a:hover { background: var(--layer); }
nav a[aria-current="page"] { background: #ebecee; font-weight: 600; }
nav .group { margin: 16px 12px 4px; font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
main { flex: 1; min-width: 0; padding: 32px 48px 64px; max-width: 980px; }
h1 { font-size: 32px; line-height: 40px; margin: 0 0 24px; } h2 { font-size: 24px; line-height: 32px; margin: 40px 0 16px; } h3 { font-size: 18px; margin: 28px 0 12px; }
a { color: var(--link); }
code { font-family: var(--mono); font-size: 13px; background: var(--layer); border: 1px solid var(--border); border-radius: 4px; padding: 0 4px; }
pre { background: var(--layer); border: 1px solid var(--border); border-radius: 8px; padding: 12px 16px; overflow-x: auto; line-height: 20px; }
pre code { background: none; border: 0; padding: 0; }
table { border-collapse: collapse; margin: 16px 0; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--border); padding: 6px 12px; text-align: left; vertical-align: top; }
th { background: var(--layer); }
${TABLE_CODE_CSS}
blockquote { margin: 16px 0; padding: 0 16px; border-left: 4px solid var(--border); color: var(--muted); }
`;

/** Renders one guide as a page of the site: the sidebar of every page, then the guide. */
export function renderGuide(file: string, markdown: string, pages: { file: string; title: string }[]): string {
  const marked = new Marked({
    gfm: true,
    renderer: {
      heading(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, { tokens, depth, text }: Tokens.Heading) {
        return `<h${depth} id="${escapeHtml(headingAnchor(text))}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
    walkTokens(token) {
      if (token.type === "link" || token.type === "image") token.href = guidePageHref(token.href);
    },
  });
  const body = marked.parse(breakCodesAtUnderscores(markdown), { async: false }) as string;
  const title = guideTitle(markdown, file);
  const link = (p: { file: string; title: string }) =>
    `<a href="${p.file.slice(0, -3)}.html"${p.file === file ? ' aria-current="page"' : ""}>${escapeHtml(p.title)}</a>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <title>${escapeHtml(title)} · Antom card payments</title>
  <style>${GUIDE_CSS}</style>
</head>
<body>
<nav aria-label="Guides">
  <a href="index.html">API reference</a>
  <a href="sandbox-api.html">Sandbox control API</a>
  <div class="group">Guides</div>
  ${pages.map(link).join("\n  ")}
</nav>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Writes docs/site/<name>.html for every docs/*.md. */
export async function buildGuides(): Promise<string[]> {
  const files = guideFiles();
  const texts = new Map(await Promise.all(files.map(async (f) => [f, await readFile(join(referencePaths.docs, f), "utf8")] as const)));
  const pages = files.map((f) => ({ file: f, title: guideTitle(texts.get(f)!, f) }));
  await mkdir(referencePaths.site, { recursive: true });
  const written: string[] = [];
  for (const f of files) {
    const out = join(referencePaths.site, `${f.slice(0, -3)}.html`);
    await writeFile(out, renderGuide(f, texts.get(f)!, pages));
    written.push(out);
  }
  return written;
}

/** Whether docs/site/index.html is missing or was built from another bundle or other guides. */
export async function referenceIsStale(): Promise<boolean> {
  const [spec, page] = await Promise.all([
    readFile(referencePaths.spec, "utf8"),
    readFile(referencePaths.page, "utf8").catch(() => undefined),
  ]);
  if (page === undefined) return true;
  return page.match(STAMP)?.[1] !== sourceStamp(spec, await guidesText());
}

/** One Redoc page, self-contained and offline, for an OpenAPI document. */
async function redocPage(spec: unknown, title: string, stamp: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "antom-reference-"));
  try {
    const input = join(dir, "openapi.json");
    const output = join(dir, "index.html");
    await writeFile(input, JSON.stringify(spec));
    await promisify(execFile)(redocly, ["build-docs", input, "--inlineBundle", "--output", output, "--title", title, "--config", join(root, "redocly.yaml")], {
      cwd: root,
      // No telemetry and no update check: building the docs reaches nothing on the network.
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
      maxBuffer: 16 * 1024 * 1024,
    });
    return makeOffline(await readFile(output, "utf8"), stamp);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Builds docs/site/index.html from generated/openapi.json, docs/site/sandbox-api.html from the
 * sandbox's control API (openapi/sandbox.yaml), and the guides' pages.
 */
export async function buildReference(): Promise<{ page: string; bytes: number }> {
  const specText = await readFile(referencePaths.spec, "utf8");
  const spec = rewriteDescriptions(JSON.parse(specText));
  const missing = [...guideLinkTargets(spec)].filter((target) => !existsSync(join(referencePaths.docs, target)));
  if (missing.length) throw new Error(`the API description links to guides that do not exist in docs/: ${missing.join(", ")}`);
  const stamp = sourceStamp(specText, await guidesText());
  const html = await redocPage(spec, "Antom card payments: API reference", stamp);
  const control = await redocPage(parseYaml(await readFile(referencePaths.controlSpec, "utf8")), "Antom sandbox: control API", stamp);
  await mkdir(referencePaths.site, { recursive: true });
  await buildGuides();
  await writeFile(referencePaths.controlPage, control);
  // The reference last: its stamp says the whole site is current.
  await writeFile(referencePaths.page, html);
  return { page: referencePaths.page, bytes: Buffer.byteLength(html) };
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
