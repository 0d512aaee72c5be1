import { contract } from "../../src/core/contract.js";
import { operations, type ResultCode } from "../../scripts/bundle.js";

type Json = Record<string, any>;

/** The committed bundle, as every consumer sees it. */
export const spec: Json = contract();

/** Follows local `$ref`s to parameters, responses, headers and the like; schema refs stay named. */
export function deref<T = Json>(node: T): T {
  if (Array.isArray(node)) return node.map((n) => deref(n)) as T;
  if (node === null || typeof node !== "object") return node;
  const ref = (node as Json).$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/") && !ref.startsWith("#/components/schemas/")) {
    const target = ref.slice(2).split("/").reduce((n: Json, key) => n[key], spec);
    return deref(target as T);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v)])) as T;
}

export interface NamedExample {
  operationId: string;
  /** `request` or `response` (for notifications: Antom's message, and the merchant's acknowledgement). */
  direction: "request" | "response";
  name: string;
  summary?: string;
  value: any;
  schema: string;
}

/** Operations and notifications as listed at the top level (callbacks excluded: they repeat webhooks). */
export function topLevelOperations(): { channel: "call" | "notification"; op: Json }[] {
  const out: { channel: "call" | "notification"; op: Json }[] = [];
  for (const { where, op } of operations(spec)) {
    if (where.includes("callback")) continue;
    out.push({ channel: where.startsWith("path") ? "call" : "notification", op: deref(op) });
  }
  return out;
}

function schemaName(media: Json | undefined): string {
  return String(media?.schema?.$ref ?? "").replace("#/components/schemas/", "");
}

/** Every named example of every top-level operation and notification. */
export function namedExamples(): NamedExample[] {
  const out: NamedExample[] = [];
  for (const { op } of topLevelOperations()) {
    const request = op.requestBody?.content?.["application/json"];
    const response = op.responses?.["200"]?.content?.["application/json"];
    for (const [direction, media] of [["request", request], ["response", response]] as const) {
      for (const [name, example] of Object.entries((media?.examples ?? {}) as Json)) {
        out.push({ operationId: op.operationId, direction, name, summary: example.summary, value: example.value, schema: schemaName(media) });
      }
    }
  }
  return out;
}

export function resultCodesOf(operationId: string): ResultCode[] {
  const found = topLevelOperations().find(({ op }) => op.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  return found.op["x-result-codes"] ?? [];
}
