// Validating recorded payloads: JSON files (one message each) and HAR files recorded from a
// real integration. The kind of a message is given, or detected from the message itself.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { notificationKindOf } from "../src/core/notifications.js";
import { describeError } from "../src/core/antom-result.js";
import { parseJsonBody } from "../src/core/json-body.js";
import type { Check } from "./report.js";
import { kinds, validate, type Mode, type ValidationError } from "../src/core/validate.js";

const OPERATION_PATH = /\/v1\/payments\/(consult|pay|cancel|capture|inquiryPayment)\/?$/;

/** Which notification a message is, from the fields that name it; undefined when it says nothing. */
export function detectNotificationKind(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return undefined;
  const kind = notificationKindOf(payload as Record<string, unknown>);
  return typeof kind === "string" ? `${kind}.request` : undefined;
}

/** The kind named in a file name such as `pay.request.json` or `017.capture.response.json`. */
export function kindFromFileName(file: string): string | undefined {
  const name = basename(file);
  return kinds()
    .map((k) => k.id)
    .find((id) => name === `${id}.json` || name.endsWith(`.${id}.json`));
}

/** The operation a recorded request went to, from its URL; undefined for any other URL. */
export function operationFromUrl(url: string): string | undefined {
  try {
    return OPERATION_PATH.exec(new URL(url).pathname)?.[1];
  } catch {
    return undefined;
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.map(describeError);
}

/** Files and HAR bodies read for checking: larger ones are refused with a reason. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;

/** A JSON text read within limits, or the described reason it cannot be (never quoting the text). */
function readJson(text: string | Uint8Array, maxBytes = MAX_BODY_BYTES): { value: unknown } | { problem: string } {
  const read = parseJsonBody(text, { maxBytes });
  return read.ok ? { value: read.value } : { problem: describeError(read.error) };
}

function check(suite: string, name: string, run: () => string[]): Check {
  const started = performance.now();
  let details: string[];
  try {
    details = run();
  } catch (error) {
    details = [`could not check: ${String((error as Error)?.message ?? error)}`];
  }
  return { suite, name, passed: details.length === 0, details, durationMs: performance.now() - started };
}

export function validatePayload(suite: string, kind: string, payload: unknown, mode?: Mode): Check {
  const label = mode ? `${kind} (${mode})` : kind;
  return check(suite, label, () => describe(validate(kind, payload, { mode }).errors));
}

type HarEntry = Record<string, any>;

function bodyText(content: unknown): string | undefined {
  if (content === null || typeof content !== "object") return undefined;
  const { text, encoding } = content as { text?: unknown; encoding?: unknown };
  if (typeof text !== "string") return undefined;
  return encoding === "base64" ? Buffer.from(text, "base64").toString("utf8") : text;
}

const objectOr = (value: unknown): Record<string, any> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, any>) : {});

/** Every Antom call recorded in a HAR file: its request and, when answered, its response. */
export function validateHar(file: string, har: unknown, mode?: Mode): Check[] {
  const entries = objectOr(objectOr(har).log).entries;
  if (!Array.isArray(entries)) return [check(file, "HAR file", () => ["not a HAR file: log.entries is missing or not an array"])];
  const checks: Check[] = [];
  entries.forEach((item: unknown, index) => {
    const entry: HarEntry = objectOr(item);
    const request = objectOr(entry.request);
    const response = objectOr(entry.response);
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      checks.push(check(`${basename(file)} #${index}`, "HAR entry", () => [`log.entries[${index}] must be an object; got ${item === null ? "null" : Array.isArray(item) ? "an array" : typeof item}`]));
      return;
    }
    const operationId = operationFromUrl(typeof request.url === "string" ? request.url : "");
    if (!operationId) return;
    const suite = `${basename(file)} #${index} ${operationId}`;
    checks.push(
      check(suite, `${operationId}.request`, () => {
        const text = objectOr(request.postData).text;
        if (typeof text !== "string") return ["the request has no body"];
        const read = readJson(text);
        if ("problem" in read) return [read.problem];
        return describe(validate(`${operationId}.request`, read.value, { mode }).errors);
      }),
    );
    const status = response.status;
    checks.push(
      check(suite, `${operationId}.response`, () => {
        if (status !== 200) return [`HTTP status ${typeof status === "number" ? status : "missing"}: Antom answers every business outcome with 200 and a result`];
        const text = bodyText(response.content);
        if (!text) return ["the response has no body"];
        const read = readJson(text);
        if ("problem" in read) return [read.problem];
        return describe(validate(`${operationId}.response`, read.value, { mode: mode ?? "tolerant" }).errors);
      }),
    );
  });
  if (checks.length === 0) checks.push(check(file, "HAR file", () => ["no Antom call (/v1/payments/<operation>) in this HAR file"]));
  return checks;
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)))
    .filter((f) => /\.(json|har)$/i.test(f));
}

/** Why a message's kind cannot be told, naming the field that decides and its candidates. */
function unknownKind(data: unknown): string {
  const hint = "name it with --as <kind> (e.g. --as pay.request) or in the file name (pay.request.json)";
  if (data !== null && typeof data === "object" && !Array.isArray(data) && "notifyType" in data) {
    const problem = notificationKindOf(data as Record<string, unknown>);
    if (typeof problem !== "string") return `cannot tell which notification this is: ${describeError(problem)}; or ${hint}`;
  }
  return `cannot tell what this message is: ${hint}; notifications are recognised by notifyType (or disputeNotificationType)`;
}

function validateFile(file: string, options: { as?: string; mode?: Mode }): Check[] {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) return [check(file, "read", () => [`is larger than ${MAX_FILE_BYTES} bytes; not read`])];
    bytes = readFileSync(file);
  } catch (error) {
    return [{ ...check(file, "read", () => [`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]), error: true }];
  }
  const isHar = file.toLowerCase().endsWith(".har");
  const read = readJson(bytes, isHar ? MAX_FILE_BYTES : MAX_BODY_BYTES);
  if ("problem" in read) return [check(file, "parse", () => [read.problem])];
  const data = read.value;
  if (isHar || Array.isArray((data as { log?: { entries?: unknown } } | null)?.log?.entries)) return validateHar(file, data, options.mode);
  const kind = options.as ?? kindFromFileName(file) ?? detectNotificationKind(data);
  if (!kind) return [check(file, "kind", () => [unknownKind(data)])];
  return [validatePayload(file, kind, data, options.mode)];
}

/**
 * Validates JSON payloads and HAR files. Each file's kind comes from `as`, else from its file
 * name (`pay.request.json`), else from the message (notifications name themselves). A file that
 * cannot be read or parsed is a failed check; the other files are still checked.
 */
export function validateFiles(paths: string[], options: { as?: string; mode?: Mode } = {}): Check[] {
  const checks: Check[] = [];
  for (const p of paths) {
    let files: string[];
    try {
      files = filesUnder(p);
    } catch (error) {
      checks.push({ ...check(p, "read", () => [`cannot read ${p}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]), error: true });
      continue;
    }
    for (const file of files) {
      try {
        checks.push(...validateFile(file, options));
      } catch (error) {
        checks.push({ ...check(file, "check", () => [`could not check: ${String((error as Error)?.message ?? error)}`]), error: true });
      }
    }
  }
  return checks;
}
