// Generates the TypeScript view of the contract from the bundle:
//   generated/antom.d.ts       openapi-typescript: paths, webhooks, components, operations, and
//                              each schema as a root type (`PayRequest`, `NotifyPaymentRequest`, ...);
//   generated/result-codes.ts  the known result codes of every operation and notification, by
//                              `resultStatus`, from the bundle's `x-result-codes`.
// Both are committed; test/client/generated.test.ts fails when they are stale.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { parse } from "yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const typesPaths = {
  source: join(root, "generated", "openapi.yaml"),
  types: join(root, "generated", "antom.d.ts"),
  resultCodes: join(root, "generated", "result-codes.ts"),
};

type Json = Record<string, any>;
const STATUSES = ["S", "F", "U"] as const;

/**
 * "a or b must be present" (CancelRequest, InquiryPaymentRequest, Goods, PayRequest) is written
 * as `properties` plus `allOf: [{anyOf: [{type: object, required: [a]}, {type: object,
 * required: [b]}]}]` (or, in the older form, a top-level `anyOf` of bare `required` lists).
 * Both are exact JSON Schema, but openapi-typescript renders the alternatives as empty objects
 * or `unknown`, which swallows the whole type. With the properties inside each alternative it
 * gives the precise union `{a: string; b?: string} | {a?: string; b: string}`.
 */
function expandRequiredAlternatives(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(expandRequiredAlternatives);
  if (node === null || typeof node !== "object") return node;
  const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, expandRequiredAlternatives(v)]));
  if (!out.properties) return out;
  const onlyRequired = (b: unknown) =>
    !!b && typeof b === "object" && Array.isArray((b as Json).required) &&
    Object.keys(b).every((k) => k === "required" || (k === "type" && (b as Json).type === "object"));
  const isRule = (m: unknown) => !!m && typeof m === "object" && Object.keys(m).length === 1 && Array.isArray((m as Json).anyOf) && (m as Json).anyOf.every(onlyRequired);
  let alternatives: Json[] | undefined;
  let rest: Json = out;
  if (Array.isArray(out.anyOf) && out.anyOf.every(onlyRequired)) {
    const { anyOf, ...others } = out;
    alternatives = anyOf;
    rest = others;
  } else if (Array.isArray(out.allOf) && out.allOf.filter(isRule).length === 1) {
    const rule = out.allOf.find(isRule);
    const kept = out.allOf.filter((m: unknown) => m !== rule);
    const { allOf: _, ...others } = out;
    alternatives = rule.anyOf;
    rest = kept.length ? { ...others, allOf: kept } : others;
  }
  if (!alternatives) return out;
  const { properties, required = [], ...others } = rest;
  return {
    ...others,
    type: "object",
    anyOf: alternatives.map((b: Json) => ({ type: "object", properties, required: [...new Set([...required, ...b.required])] })),
  };
}

/**
 * `allOf` members that only hold `if`/`then`/`else` rules (requirements that depend on another
 * field, as in PayRequest) add no property: openapi-typescript renders each as `unknown`. They
 * are dropped from the type view; validation keeps them.
 */
function dropConditionalRules(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropConditionalRules);
  if (node === null || typeof node !== "object") return node;
  const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, dropConditionalRules(v)]));
  const onlyRule = (b: unknown) => !!b && typeof b === "object" && Object.keys(b).every((k) => ["if", "then", "else"].includes(k));
  if (Array.isArray(out.allOf) && out.allOf.some(onlyRule)) {
    const kept = out.allOf.filter((b: unknown) => !onlyRule(b));
    if (kept.length) out.allOf = kept;
    else delete out.allOf;
  }
  return out;
}

/**
 * `{$ref: Env, required: [terminalType]}` (a model whose field is required in one place only, as
 * `env.terminalType` in pay and consult) is rendered by openapi-typescript as plain `Env`. As
 * `{allOf: [{$ref: Env}], required: [terminalType]}` it becomes `WithRequired<Env, "terminalType">`.
 */
function refWithRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(refWithRequired);
  if (node === null || typeof node !== "object") return node;
  const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, refWithRequired(v)]));
  if (typeof out.$ref === "string" && Array.isArray(out.required)) {
    const { $ref, ...rest } = out;
    return { ...rest, allOf: [{ $ref }] };
  }
  return out;
}

/**
 * An open set (`anyOf: [{type: string, enum: [...known]}, {type: string}]`, for values Antom
 * sends and may extend) becomes `"A" | "B" | (string & {})`: editors still offer the known
 * values, and any other string is accepted. Plain `"A" | string` would collapse to `string`.
 */
export function openSetValues(schema: Json): string[] | undefined {
  const branches = schema?.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return undefined;
  const [known, other] = branches;
  const isString = (b: Json) => b?.type === "string";
  if (!isString(known) || !Array.isArray(known.enum) || !known.enum.every((v: unknown) => typeof v === "string")) return undefined;
  if (!isString(other) || Object.keys(other).some((k) => k !== "type")) return undefined;
  return known.enum;
}

function openSetType(values: string[]): ts.TypeNode {
  const f = ts.factory;
  const anyString = f.createIntersectionTypeNode([
    f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword),
    f.createTypeLiteralNode([]),
  ]);
  return f.createUnionTypeNode([
    ...values.map((v) => f.createLiteralTypeNode(f.createStringLiteral(v))),
    f.createParenthesizedType(anyString),
  ]);
}

async function buildTypeDeclarations(doc: Json): Promise<string> {
  const ast = await openapiTS(refWithRequired(dropConditionalRules(expandRequiredAlternatives(doc))) as any, {
    transform(schema) {
      const values = openSetValues(schema as Json);
      return values ? openSetType(values) : undefined;
    },
    // A property with a `default` stays optional: Antom applies the default when it is absent.
    defaultNonNullable: false,
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
    rootTypesKeepCasing: true,
    silent: true,
  });
  return `/**\n * Generated by \`npm run generate:types\` from generated/openapi.yaml with openapi-typescript.\n * Do not edit by hand.\n */\n\n${astToString(ast)}`;
}

interface CodeEntry {
  resultCode: string;
  resultStatus: (typeof STATUSES)[number];
}

function union(codes: string[], indent: string): string {
  if (codes.length === 0) return " never";
  return codes.map((c) => `\n${indent}| ${JSON.stringify(c)}`).join("");
}

function buildResultCodes(doc: Json): string {
  const ops: { operationId: string; codes: CodeEntry[] }[] = [];
  for (const items of [doc.paths, doc.webhooks]) {
    for (const item of Object.values<Json>(items ?? {})) {
      const op = item.post;
      ops.push({ operationId: op.operationId, codes: op["x-result-codes"] ?? [] });
    }
  }
  const lines: string[] = [
    "// Generated by `npm run generate:types` from the `x-result-codes` of generated/openapi.yaml.",
    "// Do not edit by hand.",
    "",
    "/** `S` succeeded, `F` failed, `U` unknown (still processing, or the outcome is not known). */",
    'export type ResultStatus = "S" | "F" | "U";',
    "",
    "/**",
    " * The result codes the contract knows for each operation and notification, grouped by the",
    " * `resultStatus` they come with. Operations include the gateway codes common to all calls.",
    " */",
    "export interface KnownResultCodes {",
  ];
  for (const { operationId, codes } of ops) {
    lines.push(`  ${operationId}: {`);
    for (const status of STATUSES) {
      const list = [...new Set(codes.filter((c) => c.resultStatus === status).map((c) => c.resultCode))];
      lines.push(`    ${status}:${union(list, "      ")};`);
    }
    lines.push("  };");
  }
  lines.push(
    "}",
    "",
    "/** Operations and notifications that have result codes. */",
    "export type ResultCodeOperation = keyof KnownResultCodes;",
    "",
    "/** A code the contract knows for `Op` (optionally only those that come with `Status`). */",
    "export type KnownResultCode<Op extends ResultCodeOperation, Status extends ResultStatus = ResultStatus> =",
    "  KnownResultCodes[Op][Status];",
    "",
    "/**",
    " * A `resultCode` of `Op`: the known codes, for editor completion and exhaustive checks, and",
    " * any other string, because Antom adds codes over time. Handle an unknown code by its status.",
    " */",
    "export type ResultCode<Op extends ResultCodeOperation, Status extends ResultStatus = ResultStatus> =",
    "  | KnownResultCode<Op, Status>",
    "  | (string & {});",
    "",
  );
  for (const { operationId } of ops) {
    const name = operationId[0].toUpperCase() + operationId.slice(1);
    lines.push(`/** A \`resultCode\` of ${operationId}. */`, `export type ${name}ResultCode = ResultCode<${JSON.stringify(operationId)}>;`);
  }
  return `${lines.join("\n")}\n`;
}

/** Builds both files in memory: the exact text of generated/antom.d.ts and generated/result-codes.ts. */
export async function buildTypes(): Promise<{ types: string; resultCodes: string }> {
  const doc: Json = parse(await readFile(typesPaths.source, "utf8"));
  return { types: await buildTypeDeclarations(doc), resultCodes: buildResultCodes(doc) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { types, resultCodes } = await buildTypes();
  await writeFile(typesPaths.types, types);
  await writeFile(typesPaths.resultCodes, resultCodes);
  console.log(`Generated from generated/openapi.yaml:\n  ${typesPaths.types}\n  ${typesPaths.resultCodes}`);
}
