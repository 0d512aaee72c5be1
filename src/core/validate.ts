// The one validation engine of the project: ajv (JSON Schema 2020-12 + formats) compiled from
// the bundled contract, once per process. Tests, tools and users all ask it "is this valid".
//
// Two modes:
//   tolerant: the contract as written; unknown properties are allowed. Use it for what Antom
//             sends, which gains fields over time.
//   strict:   additionally rejects properties the contract does not define, so a misspelt
//             field in what a merchant sends is caught.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { contract, valueAt } from "./contract.js";
import { boundedValue, quote } from "./redact.js";
import { DEFAULT_MAX_DEPTH, inspectStructure } from "./json-body.js";

// ajv-formats is CommonJS; under NodeNext the plugin is its `default` export.
const addFormats = formats.default;

export type Mode = "strict" | "tolerant";
export type Direction = "request" | "response";

/** A payload kind: an operation or notification and a direction, e.g. `pay.request`. */
export interface Kind {
  id: string;
  operationId: string;
  direction: Direction;
  /** `call` for merchant-to-Antom operations, `notification` for Antom-to-merchant ones. */
  channel: "call" | "notification";
  schema: string;
}

export interface ValidationError {
  /** Dotted path of the offending field, e.g. `paymentMethod.paymentMethodMetaData.cardNo`; `(root)` for the body. */
  path: string;
  /** The JSON Schema rule that failed: `required`, `enum`, `maxLength`, `type`, `pattern`, `anyOf`, `additionalProperty`, ... */
  rule: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  allowed?: unknown[];
}

export interface ValidationResult {
  kind: string;
  mode: Mode;
  valid: boolean;
  errors: ValidationError[];
}

type Json = Record<string, any>;

const SPEC_ID = "https://antom-openapi.local/openapi.json";
const STRICT_ID = "https://antom-openapi.local/openapi.strict.json";

let engine: { kinds: Map<string, Kind>; compiled: Map<string, ValidateFunction>; ajv: Ajv2020 } | undefined;

/**
 * Copies the contract's schemas into a JSON Schema document: `#/components/schemas/X` becomes
 * `#/$defs/X`. In strict mode, every object schema that lists its properties also gets
 * `unevaluatedProperties: false`.
 */
function toJsonSchema(node: unknown, strict: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, strict));
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "examples" || k === "example") out[k] = v;
    else if (k === "$ref" && typeof v === "string") out[k] = v.replace("#/components/schemas/", "#/$defs/");
    // A condition (`if`, `not`) only tests a payload; closing it would change what it matches.
    else out[k] = toJsonSchema(v, strict && k !== "if" && k !== "not");
  }
  if (strict && out.properties && out.additionalProperties === undefined && out.unevaluatedProperties === undefined) {
    out.unevaluatedProperties = false;
  }
  return out;
}

function collectExtensionKeywords(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => collectExtensionKeywords(n, into));
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith("x-")) into.add(k);
    collectExtensionKeywords(v, into);
  }
}

function schemaName(ref: unknown): string {
  const prefix = "#/components/schemas/";
  if (typeof ref !== "string" || !ref.startsWith(prefix)) throw new Error(`expected a named schema, got ${String(ref)}`);
  return ref.slice(prefix.length);
}

function kindsOf(spec: Json): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  // A response may itself be a reference to a shared one (the notification acknowledgement).
  const local = (node: Json | undefined): Json | undefined => (typeof node?.$ref === "string" ? (valueAt(spec, node.$ref.slice(1)) as Json) : node);
  const add = (op: Json, channel: Kind["channel"]) => {
    const request = local(op.requestBody)?.content?.["application/json"]?.schema?.$ref;
    const response = local(op.responses?.["200"])?.content?.["application/json"]?.schema?.$ref;
    for (const [direction, ref] of [["request", request], ["response", response]] as const) {
      if (!ref) continue;
      const id = `${op.operationId}.${direction}`;
      kinds.set(id, { id, operationId: op.operationId, direction, channel, schema: schemaName(ref) });
    }
  };
  for (const item of Object.values(spec.paths ?? {})) add((item as Json).post, "call");
  for (const item of Object.values(spec.webhooks ?? {})) add((item as Json).post, "notification");
  return kinds;
}

/** An ajv instance that knows the OpenAPI-only keywords (`example`, `x-*`) of the given schemas. */
function newAjv(schemas: Json): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  const keywords = new Set<string>(["example"]);
  collectExtensionKeywords(schemas, keywords);
  for (const keyword of keywords) ajv.addKeyword({ keyword, schemaType: ["string", "number", "boolean", "array", "object"] });
  return ajv;
}

function load() {
  if (engine) return engine;
  const spec = contract();
  const ajv = newAjv(spec.components.schemas);
  // Only the schemas are handed to ajv: the rest of an OpenAPI document is not JSON Schema.
  ajv.addSchema({ $id: SPEC_ID, $defs: toJsonSchema(spec.components.schemas, false) } as Json);
  ajv.addSchema({ $id: STRICT_ID, $defs: toJsonSchema(spec.components.schemas, true) } as Json);
  engine = { kinds: kindsOf(spec), compiled: new Map(), ajv };
  return engine;
}

/** The payload kinds the contract defines, e.g. `pay.request`, `notifyDispute.request`. */
export function kinds(): Kind[] {
  return [...load().kinds.values()];
}

/** A compiled validator for a named schema of the contract (compiled once, then cached). */
export function schemaValidator(schema: string, mode: Mode = "tolerant"): ValidateFunction {
  const { ajv, compiled } = load();
  const key = `${mode}:${schema}`;
  let fn = compiled.get(key);
  if (!fn) {
    const id = mode === "strict" ? STRICT_ID : SPEC_ID;
    fn = ajv.getSchema(`${id}#/$defs/${schema}`);
    if (!fn) throw new Error(`no schema named ${schema} in the contract`);
    compiled.set(key, fn);
  }
  return fn;
}

function pointerToPath(pointer: string, child?: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  let path = "";
  for (const part of parts) path += /^[0-9]+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  return path || "(root)";
}

/**
 * An object or array is shown only by its shape: a CVV inside one cannot be told from any other
 * short number, so its content is never quoted.
 */
function shape(value: unknown): string | undefined {
  if (Array.isArray(value)) return `(an array of ${value.length} item${value.length === 1 ? "" : "s"})`;
  if (value !== null && typeof value === "object") {
    const count = Object.keys(value).length;
    return `(an object with ${count} field${count === 1 ? "" : "s"})`;
  }
  return undefined;
}

/** The offending value as an error carries it: redacted by the one redaction step and bounded. */
function shown(pointer: string, value: unknown): unknown {
  return shape(value) ?? boundedValue(value, pointer.split("/").at(-1));
}

/** The offending value as a message quotes it: redacted and bounded. */
function quoted(pointer: string, value: unknown): string {
  return shape(value) ?? quote(value, pointer.split("/").at(-1));
}

/** Turns ajv's errors into one readable error per problem, naming the field path and the rule. */
export function formatErrors(errors: ErrorObject[] | null | undefined, data: unknown): ValidationError[] {
  const list = errors ?? [];
  const out: ValidationError[] = [];
  const anyOfs = list.filter((e) => e.keyword === "anyOf");
  // Branch errors of an anyOf are reported through the anyOf itself.
  const inBranch = (e: ErrorObject) => anyOfs.some((a) => e !== a && e.schemaPath.startsWith(a.schemaPath.replace(/\/anyOf$/, "/anyOf/")));
  for (const e of list) {
    if (e.keyword === "if") continue;
    if (e.keyword !== "anyOf" && inBranch(e)) continue;
    const value = valueAt(data, e.instancePath);
    const actual = shown(e.instancePath, value);
    const got = quoted(e.instancePath, value);
    switch (e.keyword) {
      case "required": {
        const field = (e.params as { missingProperty: string }).missingProperty;
        out.push({ path: pointerToPath(e.instancePath, field), rule: "required", message: `${field} is required` });
        break;
      }
      case "dependentRequired": {
        const { property, missingProperty } = e.params as { property: string; missingProperty: string };
        out.push({
          path: pointerToPath(e.instancePath, missingProperty),
          rule: "dependentRequired",
          message: `${missingProperty} is required when ${property} is present`,
        });
        break;
      }
      case "unevaluatedProperties":
      case "additionalProperties": {
        const field = (e.params as { unevaluatedProperty?: string; additionalProperty?: string }).unevaluatedProperty ??
          (e.params as { additionalProperty: string }).additionalProperty;
        out.push({
          path: pointerToPath(e.instancePath, field),
          rule: "additionalProperty",
          message: `${field} is not a property the contract defines (misspelt?)`,
        });
        break;
      }
      case "enum": {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        out.push({
          path: pointerToPath(e.instancePath),
          rule: "enum",
          message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}; got ${got}`,
          allowed,
          actual,
        });
        break;
      }
      case "const": {
        const expected = (e.params as { allowedValue: unknown }).allowedValue;
        out.push({ path: pointerToPath(e.instancePath), rule: "const", message: `must be ${JSON.stringify(expected)}; got ${got}`, expected, actual });
        break;
      }
      case "anyOf": {
        const branches = list.filter((b) => b !== e && b.schemaPath.startsWith(e.schemaPath + "/"));
        const missing = branches.filter((b) => b.keyword === "required").map((b) => (b.params as { missingProperty: string }).missingProperty);
        if (branches.length > 0 && missing.length === branches.length) {
          out.push({
            path: pointerToPath(e.instancePath),
            rule: "anyOf",
            message: `must have at least one of ${missing.join(", ")}`,
            expected: missing,
          });
        } else {
          const types = [...new Set(branches.map((b) => (b.keyword === "type" ? String((b.params as { type: string }).type) : b.message)))];
          out.push({
            path: pointerToPath(e.instancePath),
            rule: "anyOf",
            message: `must match one of: ${types.join("; ")}; got ${got}`,
            actual,
          });
        }
        break;
      }
      default: {
        const limit = (e.params as { limit?: unknown; type?: unknown; pattern?: unknown; format?: unknown });
        const expected = limit.limit ?? limit.type ?? limit.pattern ?? limit.format;
        out.push({ path: pointerToPath(e.instancePath), rule: e.keyword, message: `${e.message ?? "is invalid"}; got ${got}`, expected, actual });
      }
    }
  }
  return out;
}

/** The most errors one validation reports; the rest are counted in a last entry. */
export const MAX_ERRORS = 50;

function bounded(errors: ValidationError[]): ValidationError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  const more = errors.length - MAX_ERRORS;
  return [...errors.slice(0, MAX_ERRORS), { path: "(root)", rule: "maxErrors", message: `${more} more problem${more === 1 ? "" : "s"} not shown` }];
}

export interface ValidateOptions {
  mode?: Mode;
  /** The deepest nesting of objects and arrays accepted (default 64); deeper is a `maxDepth` error with its path. */
  maxDepth?: number;
}

/** Validates one payload of the given kind (`pay.request`, `notifyCapture.request`, ...). */
export function validate(kind: string, payload: unknown, options: ValidateOptions = {}): ValidationResult {
  const found = load().kinds.get(kind);
  if (!found) throw new Error(`unknown kind ${kind}; known kinds: ${[...load().kinds.keys()].join(", ")}`);
  // What the merchant sends (call requests, notification acknowledgements) is checked strictly by default.
  const merchantSends = (found.channel === "call") === (found.direction === "request");
  const mode = options.mode ?? (merchantSends ? "strict" : "tolerant");
  // Too deep (or cyclic) for a recursive schema engine: one error with the path where it goes too deep.
  // Strict mode also looks for keys named like inherited properties (`__proto__`, `toString`, ...),
  // which a schema engine may take for properties it has already seen.
  const structure = inspectStructure(payload, options.maxDepth ?? DEFAULT_MAX_DEPTH, mode === "strict");
  if (structure.tooDeep) return { kind, mode, valid: false, errors: [structure.tooDeep] };
  const fn = schemaValidator(found.schema, mode);
  const valid = fn(payload) as boolean;
  const errors = valid ? [] : formatErrors(fn.errors, payload);
  for (const problem of structure.inheritedNames) {
    if (!errors.some((e) => e.path === problem.path && e.rule === problem.rule)) errors.push(problem);
  }
  return { kind, mode, valid: errors.length === 0, errors: bounded(errors) };
}

const OTHER_ID = "https://antom-openapi.local/other.json";
const otherDocuments = new WeakMap<object, Ajv2020>();

/**
 * Validates a payload against a named schema of another OpenAPI document (the sandbox's control
 * API), with the same engine and the same errors, strictly: a misspelt field is an error.
 */
export function validateAgainst(document: Json, schema: string, payload: unknown): ValidationResult {
  let ajv = otherDocuments.get(document);
  if (!ajv) {
    ajv = newAjv(document.components.schemas);
    ajv.addSchema({ $id: OTHER_ID, $defs: toJsonSchema(document.components.schemas, true) } as Json);
    otherDocuments.set(document, ajv);
  }
  const fn = ajv.getSchema(`${OTHER_ID}#/$defs/${schema}`);
  if (!fn) throw new Error(`no schema named ${schema} in the document`);
  const valid = fn(payload) as boolean;
  return { kind: schema, mode: "strict", valid, errors: valid ? [] : formatErrors(fn.errors, payload) };
}
