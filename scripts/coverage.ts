// Compares the fields of an official Antom SDK with the contract, for the messages the contract
// describes (the five calls, their answers and the three notifications) and every model they
// reach, and writes the comparison into docs/coverage.md (between the sdk-coverage markers).
//
//   npm run coverage -- <path to an SDK checkout>            Java, Go or PHP (global-open-sdk-java, -go, -php)
//   npm run coverage -- <path> --stdout                      print the section instead of writing it
//   npm run coverage -- <path> --check                       exit 1 when a left-out field has no recorded reason
//
// Each SDK field is "defined" (the contract's model has the property) or "left out", with the
// reason recorded in scripts/coverage-reasons.json (keyed `Model.field`). A field with no recorded
// reason is marked, so the next SDK release shows its new fields at a glance. Properties the
// contract defines and the SDK does not are listed too.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

type Json = Record<string, any>;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const START = "<!-- sdk-coverage:start -->";
const END = "<!-- sdk-coverage:end -->";

/** A field as the SDK declares it: JSON name, type as written, and the model it refers to (if any). */
interface SdkField {
  name: string;
  type: string;
  model?: string;
  list: boolean;
}

interface SdkIndex {
  language: string;
  classes: Map<string, { fields: SdkField[]; parents: string[] }>;
}

/** SDK message class → contract schema. The same class names are used by the Java and Go SDKs. */
export const MESSAGES: [string, string][] = [
  ["AlipayPayConsultRequest", "ConsultRequest"],
  ["AlipayPayConsultResponse", "ConsultResponse"],
  ["AlipayPayRequest", "PayRequest"],
  ["AlipayPayResponse", "PayResponse"],
  ["AlipayPayCancelRequest", "CancelRequest"],
  ["AlipayPayCancelResponse", "CancelResponse"],
  ["AlipayCaptureRequest", "CaptureRequest"],
  ["AlipayCaptureResponse", "CaptureResponse"],
  ["AlipayPayQueryRequest", "InquiryPaymentRequest"],
  ["AlipayPayQueryResponse", "InquiryPaymentResponse"],
  ["AlipayPayResultNotify", "NotifyPaymentRequest"],
  ["AlipayCaptureResultNotify", "NotifyCaptureRequest"],
  ["AlipayDisputeNotify", "NotifyDisputeRequest"],
];

/** Models the SDK types loosely (a map) that the contract types with a named model. */
const EXTRA_PAIRS: [string, string][] = [["CardPaymentMethodDetail", "CardPaymentMethodMetaData"]];

function walk(dir: string, ext: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "test" || name === "tests" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, ext, out);
    else if (name.endsWith(ext)) out.push(path);
  }
  return out;
}

function javaIndex(dir: string): SdkIndex {
  const classes: SdkIndex["classes"] = new Map();
  const files = walk(dir, ".java");
  const modelNames = new Set<string>();
  const parsed: { name: string; parent?: string; fields: [string, string][] }[] = [];
  // Several packages reuse a class name (model/aps/Goods, model/risk/Order, ...): the online
  // payments models (model/ams, request/ams, response/ams) come first, so they win.
  const rank = (file: string) => (/[/\\](model|request|response)[/\\]ams[/\\]/.test(file) ? 0 : 1);
  files.sort((a, b) => rank(a) - rank(b));
  const taken = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const cls = /^public (?:abstract )?class (\w+)(?:<[^>]*>)?(?: extends (\w+))?/m.exec(text);
    if (!cls || taken.has(cls[1])) continue;
    taken.add(cls[1]);
    modelNames.add(cls[1]);
    const fields: [string, string][] = [];
    for (const m of text.matchAll(/^ {2}private (?!static)([\w<>, ?]+?)\s+(\w+)\s*(?:=[^;]*)?;/gm)) fields.push([m[2], m[1].trim()]);
    parsed.push({ name: cls[1], parent: cls[2], fields });
  }
  for (const { name, parent, fields } of parsed) {
    classes.set(name, {
      // AlipayRequest holds the HTTP call (path, client ID, key version), not body fields.
      parents: parent && parent !== "AlipayRequest" ? [parent] : [],
      fields: fields.map(([field, type]) => {
        const list = /^(List|Set)</.test(type);
        const inner = list ? type.replace(/^(List|Set)<(.*)>$/, "$2") : type;
        return { name: field, type, list, model: modelNames.has(inner) ? inner : undefined };
      }),
    });
  }
  return { language: "Java", classes };
}

function goIndex(dir: string): SdkIndex {
  const classes: SdkIndex["classes"] = new Map();
  const structs: { name: string; body: string }[] = [];
  for (const file of walk(dir, ".go")) {
    if (file.endsWith("_test.go")) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) structs.push({ name: m[1], body: m[2] });
  }
  const names = new Set(structs.map((s) => s.name));
  for (const { name, body } of structs) {
    const fields: SdkField[] = [];
    const parents: string[] = [];
    for (const line of body.split("\n")) {
      const embedded = /^\s+\*?(?:\w+\.)?(\w+)\s*$/.exec(line);
      if (embedded) {
        parents.push(embedded[1]);
        continue;
      }
      const m = /^\s+\w+\s+([\[\]*\w.]+)\s+`json:"(\w+)/.exec(line);
      if (!m) continue;
      const type = m[1];
      const list = type.startsWith("[]");
      const inner = type.replace(/^(\[\])?\*?/, "").replace(/^\*/, "").replace(/^\w+\./, "");
      fields.push({ name: m[2], type, list, model: names.has(inner) ? inner : undefined });
    }
    // The first definition wins (request and response packages reuse a few names).
    if (!classes.has(name)) classes.set(name, { fields, parents });
  }
  return { language: "Go", classes };
}

function phpIndex(dir: string): SdkIndex {
  const classes: SdkIndex["classes"] = new Map();
  const parsed: { name: string; parent?: string; fields: [string, string][] }[] = [];
  for (const file of walk(dir, ".php")) {
    const text = readFileSync(file, "utf8");
    const cls = /^(?:abstract )?class (\w+)(?:\s+extends\s+\\?([\w\\]+))?/m.exec(text);
    if (!cls || parsed.some((p) => p.name === cls[1])) continue;
    const fields: [string, string][] = [];
    const types = /\$openAPITypes = \[([\s\S]*?)\];/.exec(text);
    if (types) for (const m of types[1].matchAll(/'(\w+)' => '([^']*)'/g)) fields.push([m[1], m[2]]);
    // The notification classes are plain classes with public fields; enums (a `$value`) are no models.
    else if (cls[1].startsWith("Alipay")) for (const m of text.matchAll(/^ {4}public \$(\w+);/gm)) fields.push([m[1], "mixed"]);
    else continue;
    parsed.push({ name: cls[1], parent: cls[2]?.split("\\").pop(), fields });
  }
  const names = new Set(parsed.map((p) => p.name));
  for (const { name, parent, fields } of parsed) {
    classes.set(name, {
      parents: parent && parent !== "AlipayRequest" ? [parent] : [],
      fields: fields.map(([field, type]) => {
        const list = type.endsWith("[]");
        const inner = type.replace(/\[\]$/, "").split("\\").pop() ?? type;
        return { name: field, type, list, model: names.has(inner) ? inner : undefined };
      }),
    });
  }
  return { language: "PHP", classes };
}

export function sdkIndex(dir: string): SdkIndex {
  const javaRoot = join(dir, "src", "main", "java");
  if (exists(javaRoot)) return javaIndex(javaRoot);
  if (exists(join(dir, "com", "alipay", "api"))) return goIndex(join(dir, "com", "alipay", "api"));
  if (exists(join(dir, "model")) && exists(join(dir, "request"))) return phpIndex(dir);
  throw new Error(`${dir}: not a checkout of alipay/global-open-sdk-java, -go or -php (no src/main/java, no com/alipay/api, no model/ and request/)`);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function fieldsOf(index: SdkIndex, name: string, seen = new Set<string>()): SdkField[] {
  const cls = index.classes.get(name);
  if (!cls || seen.has(name)) return [];
  seen.add(name);
  const inherited = cls.parents.flatMap((p) => fieldsOf(index, p, seen));
  const own = new Map(cls.fields.map((f) => [f.name, f]));
  return [...inherited.filter((f) => !own.has(f.name)), ...cls.fields];
}

const schemaName = (ref: unknown) => (typeof ref === "string" && ref.startsWith("#/components/schemas/") ? ref.slice(21) : undefined);

/** The named model a contract property refers to, directly or as the items of an array. */
function targetOf(prop: Json): string | undefined {
  return schemaName(prop?.$ref) ?? schemaName(prop?.items?.$ref);
}

export interface Row {
  field: string;
  sdkType: string;
  status: "defined" | "left out" | "contract only";
  reason?: string;
}

export interface Pair {
  schema: string;
  sdkClass: string;
  rows: Row[];
}

export function compare(index: SdkIndex, spec: Json, reasons: Record<string, string>): Pair[] {
  const schemas = spec.components.schemas as Record<string, Json>;
  const pairs: Pair[] = [];
  const done = new Set<string>();
  const queue: [string, string][] = [...MESSAGES, ...EXTRA_PAIRS].filter(([cls]) => index.classes.has(cls));
  while (queue.length) {
    const [cls, schema] = queue.shift()!;
    const key = `${cls}>${schema}`;
    if (done.has(key) || !schemas[schema]) continue;
    done.add(key);
    const props = schemas[schema].properties ?? {};
    const fields = fieldsOf(index, cls);
    const rows: Row[] = fields.map((f) => {
      if (props[f.name]) {
        const target = targetOf(props[f.name]);
        if (f.model && target) queue.push([f.model, target]);
        return { field: f.name, sdkType: f.type, status: "defined" };
      }
      return { field: f.name, sdkType: f.type, status: "left out", reason: reasons[`${schema}.${f.name}`] };
    });
    const sdkNames = new Set(fields.map((f) => f.name));
    for (const name of Object.keys(props)) {
      if (!sdkNames.has(name)) rows.push({ field: name, sdkType: "", status: "contract only", reason: reasons[`${schema}.${name}`] });
    }
    pairs.push({ schema, sdkClass: cls, rows });
  }
  return pairs.sort((a, b) => a.schema.localeCompare(b.schema) || a.sdkClass.localeCompare(b.sdkClass));
}

const code = (s: string) => `\`${s.replace(/\|/g, "\\|")}\``;

export function section(pairs: Pair[], language: string, label: string): string {
  const count = (status: Row["status"]) => pairs.reduce((n, p) => n + p.rows.filter((r) => r.status === status).length, 0);
  const unexplained = pairs.flatMap((p) => p.rows.filter((r) => r.status === "left out" && !r.reason).map((r) => `${p.schema}.${r.field}`));
  const lines = [
    `Generated by \`npm run coverage -- <sdk checkout>\` from the ${language} SDK (${label}). Do not edit by hand; reasons for`,
    "left-out fields live in `scripts/coverage-reasons.json`.",
    "",
    `${pairs.length} model pairs; ${count("defined")} SDK fields defined, ${count("left out")} left out` +
      ` (${unexplained.length} without a recorded reason), ${count("contract only")} properties that only the contract has.`,
  ];
  for (const p of pairs) {
    lines.push("", `### ${p.schema} ← \`${p.sdkClass}\``, "", "| Field | SDK type | Contract |", "|---|---|---|");
    for (const r of p.rows) {
      const status =
        r.status === "defined"
          ? "defined"
          : r.status === "left out"
            ? `left out: ${r.reason ?? "**no reason recorded**"}`
            : `contract only${r.reason ? `: ${r.reason}` : ""}`;
      lines.push(`| ${code(r.field)} | ${r.sdkType ? code(r.sdkType) : ""} | ${status} |`);
    }
  }
  return lines.join("\n");
}

export function withSection(doc: string, body: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/coverage.md needs the markers ${START} and ${END}, in that order`);
  return `${doc.slice(0, start + START.length)}\n${body}\n${doc.slice(end)}`;
}

function sdkLabel(dir: string): string {
  for (const file of ["pom.xml", "com/alipay/api/sdk_version.go", "composer.json"]) {
    try {
      const text = readFileSync(join(dir, file), "utf8");
      const version = /<version>([\d.]+)<\/version>/.exec(text)?.[1] ?? /"(?:version": ")?(\d+\.\d+\.\d+)"/.exec(text)?.[1];
      if (version) return `version ${version}`;
    } catch {
      // not this layout
    }
  }
  return "version unknown";
}

function main(argv: string[]): number {
  const dir = argv.find((a) => !a.startsWith("--"));
  if (!dir) {
    console.error("usage: npm run coverage -- <path to an SDK checkout> [--stdout] [--check]");
    return 2;
  }
  const index = sdkIndex(resolve(dir));
  const spec = JSON.parse(readFileSync(join(root, "generated", "openapi.json"), "utf8"));
  const reasons = JSON.parse(readFileSync(join(root, "scripts", "coverage-reasons.json"), "utf8")) as Record<string, string>;
  const pairs = compare(index, spec, reasons);
  const body = section(pairs, index.language, sdkLabel(resolve(dir)));
  if (argv.includes("--stdout")) console.log(body);
  else {
    const path = join(root, "docs", "coverage.md");
    writeFileSync(path, withSection(readFileSync(path, "utf8"), body));
    console.log(`wrote the ${index.language} SDK comparison into docs/coverage.md`);
  }
  const unexplained = pairs.flatMap((p) => p.rows.filter((r) => r.status === "left out" && !r.reason).map((r) => `${p.schema}.${r.field}`));
  if (unexplained.length) console.error(`left out without a recorded reason (${unexplained.length}):\n  ${unexplained.join("\n  ")}`);
  return argv.includes("--check") && unexplained.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
