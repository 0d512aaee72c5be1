// Reads a JSON body from bytes with limits on size and nesting, so no input can exhaust memory
// or the stack of whatever validates it next. A problem comes back as a validation error with a
// path and a rule, never as an exception.
import type { ValidationError } from "./validate.js";

export interface JsonBodyLimits {
  /** Largest body accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Deepest nesting of objects and arrays accepted (default 64). */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

/** The deepest nesting of `{`/`[` outside strings, scanning stops once `limit` is passed. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/** The body as a JSON value, or the one error that says why it is not acceptable. */
export function parseJsonBody(
  body: string | Uint8Array,
  limits: JsonBodyLimits = {},
): { ok: true; value: unknown } | { ok: false; error: ValidationError } {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  if (bytes > maxBytes) {
    return { ok: false, error: { path: "(root)", rule: "maxBytes", message: `the body is ${bytes} bytes; at most ${maxBytes} are accepted`, expected: maxBytes } };
  }
  let text = typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return { ok: false, error: { path: "(root)", rule: "json", message: "the body is empty; a JSON object is required" } };
  const depth = nestingDepth(text, maxDepth);
  if (depth > maxDepth) {
    return { ok: false, error: { path: "(root)", rule: "maxDepth", message: `the body nests deeper than ${maxDepth} levels`, expected: maxDepth } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    // V8's message quotes the text around the error; keep only where it is.
    const where = /position (\d+)/.exec((error as Error).message)?.[1];
    return { ok: false, error: { path: "(root)", rule: "json", message: `is not valid JSON${where ? ` (at character ${where})` : ""}` } };
  }
}
