// Reading untrusted JSON: a body from the network, a file on disk. Bounded in size and nesting,
// strict about encoding (Antom's messages are UTF-8 JSON), and never echoing the input in its
// errors (a syntax error message would otherwise quote card data). The validator, the client,
// the CLI and the sandbox all read JSON through here.
import type { ValidationError } from "./validate.js";

/** Default limits: Antom's messages are a few kilobytes and a handful of levels deep. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

export interface JsonLimits {
  /** The largest body accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
  /** The deepest nesting of objects and arrays accepted (default 64; the body itself is level 1). */
  maxDepth?: number;
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: ValidationError };

const BOMS: [number[], string][] = [
  [[0x00, 0x00, 0xfe, 0xff], "UTF-32 (big-endian byte-order mark 00 00 FE FF)"],
  [[0xff, 0xfe, 0x00, 0x00], "UTF-32 (little-endian byte-order mark FF FE 00 00)"],
  [[0xef, 0xbb, 0xbf], "UTF-8 with a byte-order mark (EF BB BF)"],
  [[0xfe, 0xff], "UTF-16 (big-endian byte-order mark FE FF)"],
  [[0xff, 0xfe], "UTF-16 (little-endian byte-order mark FF FE)"],
];

function encodingProblem(bytes: Uint8Array): string | undefined {
  for (const [mark, name] of BOMS) {
    if (mark.every((b, i) => bytes[i] === b)) return `is encoded as ${name}; Antom messages are UTF-8 JSON without a byte-order mark`;
  }
  // UTF-16 without a byte-order mark: a NUL byte next to each ASCII character.
  if (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0)) return "looks like UTF-16 (NUL bytes between characters); Antom messages are UTF-8 JSON";
  return undefined;
}

// One decoder for every body: constructing a TextDecoder costs more than decoding a small body,
// and decode() without `stream` keeps no state between calls.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A JSON.parse error in words, without the fragment of input V8 quotes (it may hold card data). */
function syntaxMessage(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  const position = /position (\d+)/.exec(text)?.[1];
  const head = text.replace(/,? ".*" is not valid JSON$/s, "").replace(/ in JSON at position \d+.*$/s, "").replace(/^Unexpected token '(.)'$/s, (_m, c: string) => (/[0-9]/.test(c) ? "Unexpected digit" : `Unexpected token '${c}'`));
  return `is not valid JSON: ${head}${position !== undefined ? ` at position ${position}` : ""}`;
}

function pathOf(parts: (string | number)[]): string {
  let path = "";
  for (const part of parts) path += typeof part === "number" ? `[${part}]` : path ? `.${part}` : part;
  return path || "(root)";
}

interface Visit {
  node: object;
  depth: number;
  parent: Visit | undefined;
  key: string | number;
}

function pathTo(visit: Visit | undefined, last?: string | number): string {
  const parts: (string | number)[] = last === undefined ? [] : [last];
  for (let v = visit; v?.parent; v = v.parent) parts.unshift(v.key);
  return pathOf(parts);
}

/** Names every object inherits in JavaScript (`__proto__`, `constructor`, `toString`, ...): never fields of a message. */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

export interface Structure {
  /** Where the value first nests deeper than allowed (rule `maxDepth`), if it does. */
  tooDeep?: ValidationError;
  /** Keys named like an inherited property (rule `additionalProperty`), when asked for. */
  inheritedNames: ValidationError[];
}

/**
 * One walk over a value, without recursion (any depth, or a cycle, is safe): where it first nests
 * deeper than `maxDepth` (the value itself is level 1), and, with `inheritedNames`, every key
 * named like an inherited property. Paths are built only for what is reported.
 */
export function inspectStructure(value: unknown, maxDepth = DEFAULT_MAX_DEPTH, inheritedNames = false): Structure {
  const found: Structure = { inheritedNames: [] };
  if (value === null || typeof value !== "object") return found;
  const stack: Visit[] = [{ node: value as object, depth: 1, parent: undefined, key: "" }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    if (visit.depth > maxDepth) {
      found.tooDeep = { path: pathTo(visit), rule: "maxDepth", message: `nests deeper than ${maxDepth} levels of objects and arrays`, expected: maxDepth };
      return found;
    }
    const node = visit.node as Record<string, unknown>;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child = node[i];
        if (child !== null && typeof child === "object") stack.push({ node: child, depth: visit.depth + 1, parent: visit, key: i });
      }
      continue;
    }
    for (const key in node) {
      if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
      if (inheritedNames && INHERITED_NAMES.has(key)) {
        found.inheritedNames.push({ path: pathTo(visit, key), rule: "additionalProperty", message: `${key} is not a property the contract defines (misspelt?)` });
      }
      const child = node[key];
      if (child !== null && typeof child === "object") stack.push({ node: child, depth: visit.depth + 1, parent: visit, key });
    }
  }
  return found;
}

/**
 * The first place a value nests deeper than `maxDepth` (the value itself is level 1), as a
 * validation error with its path and the rule `maxDepth`; undefined when it does not. Walks
 * without recursion, so any depth (or a cycle) is safe.
 */
export function depthProblem(value: unknown, maxDepth = DEFAULT_MAX_DEPTH): ValidationError | undefined {
  return inspectStructure(value, maxDepth).tooDeep;
}

/** The deepest nesting of `[` and `{` in JSON text, outside strings, stopping once past `limit`. */
function textDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/**
 * Parses an untrusted JSON body within limits. Returns the value, or one validation error with
 * the path and the rule at fault: `maxBytes`, `encoding` (a byte-order mark, UTF-16, invalid
 * UTF-8), `json` (a syntax error, without quoting the input) or `maxDepth`. Never throws.
 */
export function parseJsonBody(bytes: Uint8Array | string, limits: JsonLimits = {}): ParsedJson {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  let text: string;
  if (typeof bytes === "string") {
    if (bytes.length > maxBytes || Buffer.byteLength(bytes, "utf8") > maxBytes) {
      return { ok: false, error: { path: "(root)", rule: "maxBytes", message: `is larger than ${maxBytes} bytes`, expected: maxBytes } };
    }
    if (bytes.charCodeAt(0) === 0xfeff) return { ok: false, error: { path: "(root)", rule: "encoding", message: "starts with a byte-order mark (U+FEFF); Antom messages are UTF-8 JSON without one" } };
    text = bytes;
  } else if (bytes instanceof Uint8Array) {
    if (bytes.byteLength > maxBytes) {
      return { ok: false, error: { path: "(root)", rule: "maxBytes", message: `is ${bytes.byteLength} bytes, larger than the limit of ${maxBytes}`, expected: maxBytes } };
    }
    const problem = encodingProblem(bytes);
    if (problem) return { ok: false, error: { path: "(root)", rule: "encoding", message: problem } };
    try {
      text = UTF8.decode(bytes);
    } catch {
      return { ok: false, error: { path: "(root)", rule: "encoding", message: "is not valid UTF-8; Antom messages are UTF-8 JSON" } };
    }
  } else {
    return { ok: false, error: { path: "(root)", rule: "type", message: `must be bytes (Uint8Array, Buffer) or a string; got ${bytes === null ? "null" : typeof bytes}` } };
  }
  // Checked on the text first: a parser may recurse once per level.
  if (textDepthExceeds(text, maxDepth)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, error: { path: "(root)", rule: "maxDepth", message: `nests deeper than ${maxDepth} levels of objects and arrays`, expected: maxDepth } };
    }
    return { ok: false, error: depthProblem(value, maxDepth) ?? { path: "(root)", rule: "maxDepth", message: `nests deeper than ${maxDepth} levels`, expected: maxDepth } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: { path: "(root)", rule: "json", message: syntaxMessage(error) } };
  }
}
