// Joins the split contract in openapi/ into generated/openapi.yaml and generated/openapi.json.
// Redocly CLI does the joining; this script then applies four decorations that every consumer
// of the bundle (codegen, the mock, the docs) needs and that must not be typed by hand:
//   1. named examples are inlined where they are used (Redocly would name them `success-2`);
//   2. the gateway codes common to all operations are merged into each operation's
//      `x-result-codes`, flagged `common: true`;
//   3. each operation's `x-result-codes` is rendered as a table at the end of its description;
//   4. the copies of notifyPayment and notifyCapture under pay's `callbacks` get their own
//      operationIds (`notifyPaymentCallback`, ...), since operationIds must be unique in a document;
//   5. a model that refers to itself (`Goods.crossSell`) refers instead to a copy of itself one
//      level down (`GoodsCrossSell`), whose own self-reference is a plain object: Prism does
//      not validate inside a self-referencing schema, and with the copy it validates the first
//      level (see docs/mock.md). The validators accept the same payloads either way, except
//      that the second level down is no longer checked.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const redocly = join(root, "node_modules", ".bin", "redocly");

export interface ResultCode {
  resultCode: string;
  resultStatus: "S" | "F" | "U";
  description: string;
  unconfirmed?: boolean;
  common?: boolean;
}

type Json = Record<string, any>;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Runs `redocly bundle` on the split contract and returns the parsed result. */
async function redoclyBundle(): Promise<Json> {
  const dir = await mkdtemp(join(tmpdir(), "antom-bundle-"));
  try {
    const out = join(dir, "openapi.yaml");
    await promisify(execFile)(redocly, ["bundle", join(root, "openapi", "openapi.yaml"), "-o", out], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    });
    return parse(await readFile(out, "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function inlineExamples(node: unknown, examples: Json): unknown {
  if (Array.isArray(node)) return node.map((item) => inlineExamples(item, examples));
  if (node === null || typeof node !== "object") return node;
  const ref = (node as Json).$ref;
  const prefix = "#/components/examples/";
  if (typeof ref === "string" && ref.startsWith(prefix)) {
    const target = examples[decodeURIComponent(ref.slice(prefix.length))];
    if (!target) throw new Error(`unresolved example ${ref}`);
    return inlineExamples(structuredClone(target), examples);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inlineExamples(v, examples)]));
}

/** Every operation object of the document: paths, webhooks, and callbacks under operations. */
export function* operations(doc: Json): Generator<{ where: string; op: Json }> {
  function* inPathItems(items: Json | undefined, where: string): Generator<{ where: string; op: Json }> {
    for (const [name, item] of Object.entries(items ?? {})) {
      for (const method of METHODS) {
        const op = (item as Json)[method];
        if (!op) continue;
        yield { where: `${where} ${name} ${method}`, op };
        for (const [cbName, cb] of Object.entries((op.callbacks ?? {}) as Json)) {
          yield* inPathItems(cb as Json, `${where} ${name} callback ${cbName}`);
        }
      }
    }
  }
  yield* inPathItems(doc.paths, "path");
  yield* inPathItems(doc.webhooks, "webhook");
}

/** Text as one cell of a markdown table: on one line, pipes escaped. */
export function markdownCell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|").trim();
}

export function resultCodeTable(codes: ResultCode[]): string {
  const rows = codes.map((c) => {
    const notes = [c.common ? "gateway code common to all operations" : "", c.unconfirmed ? "unconfirmed" : ""]
      .filter(Boolean)
      .join("; ");
    const meaning = markdownCell(c.description) + (notes ? ` _(${notes})_` : "");
    return `| \`${c.resultCode}\` | \`${c.resultStatus}\` | ${meaning} |`;
  });
  return ["| resultCode | resultStatus | Meaning |", "|---|---|---|", ...rows].join("\n");
}

const TABLE_HEADING = "\n\n## Result codes\n\n";

function decorateResultCodes(doc: Json): void {
  const common: ResultCode[] = doc["x-common-result-codes"] ?? [];
  for (const { where, op } of operations(doc)) {
    const own: ResultCode[] | undefined = op["x-result-codes"];
    if (!own) continue;
    // Webhooks list what the notification's `result` can carry; gateway codes belong to calls.
    const isCall = where.startsWith("path") && !where.includes("callback");
    const merged = [...own];
    if (isCall) {
      for (const code of common) {
        if (!merged.some((c) => c.resultCode === code.resultCode)) merged.push({ ...code, common: true });
      }
    }
    op["x-result-codes"] = merged;
    op.description = `${(op.description ?? "").trimEnd()}${TABLE_HEADING}${resultCodeTable(merged)}\n`;
  }
}

function renameCallbackOperations(doc: Json): void {
  for (const { where, op } of operations(doc)) {
    if (where.includes("callback") && op.operationId && !op.operationId.endsWith("Callback")) op.operationId = `${op.operationId}Callback`;
  }
}

/** Decoration 5: self-references unrolled one level. */
export function unrollSelfReferences(doc: Json): void {
  const schemas: Json = doc.components?.schemas ?? {};
  for (const [name, schema] of Object.entries<Json>({ ...schemas })) {
    const self = `#/components/schemas/${name}`;
    for (const [prop, value] of Object.entries<Json>(schema.properties ?? {})) {
      const holder = value.$ref === self ? value : value.items?.$ref === self ? value.items : undefined;
      if (!holder) continue;
      const copyName = `${name}${prop[0].toUpperCase()}${prop.slice(1)}`;
      const copy = structuredClone(schema);
      copy.description = `${schema.description ?? name}\n\nThis is \`${name}\` one level down, as the value of \`${name}.${prop}\` (generated by \`npm run bundle\` so that tools that cannot follow a self-reference, such as the mock, still check it). Its own \`${prop}\` is not checked further.`;
      const inner = copy.properties[prop];
      const plain = { type: "object", description: inner.description };
      if (inner.$ref === self) copy.properties[prop] = plain;
      else copy.properties[prop] = { ...inner, items: plain };
      schemas[copyName] = copy;
      holder.$ref = `#/components/schemas/${copyName}`;
    }
  }
}

/** Builds the bundle in memory: the exact text of generated/openapi.yaml and generated/openapi.json. */
export async function buildBundle(): Promise<{ doc: Json; yaml: string; json: string }> {
  const bundled = await redoclyBundle();
  const { examples = {}, ...components } = bundled.components ?? {};
  const doc = inlineExamples({ ...bundled, components }, examples) as Json;
  decorateResultCodes(doc);
  renameCallbackOperations(doc);
  unrollSelfReferences(doc);
  const yaml = `# Generated by \`npm run bundle\` from openapi/. Do not edit by hand.\n${stringify(doc, { lineWidth: 0 })}`;
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  return { doc, yaml, json };
}

export const bundlePaths = {
  yaml: join(root, "generated", "openapi.yaml"),
  json: join(root, "generated", "openapi.json"),
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { yaml, json } = await buildBundle();
  await writeFile(bundlePaths.yaml, yaml);
  await writeFile(bundlePaths.json, json);
  console.log(`Bundled openapi/openapi.yaml into:\n  ${bundlePaths.yaml}\n  ${bundlePaths.json}`);
}
