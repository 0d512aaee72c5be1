// Validating recorded payloads: JSON files (one message each) and HAR files recorded from a
// real integration. The kind of a message is given, or detected from the message itself.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { notificationKindOf } from "../src/core/notifications.js";
import { describeError } from "../src/core/antom-result.js";
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

function check(suite: string, name: string, run: () => string[]): Check {
  const started = performance.now();
  let details: string[];
  try {
    details = run();
  } catch (error) {
    details = [String((error as Error).message ?? error)];
  }
  return { suite, name, passed: details.length === 0, details, durationMs: performance.now() - started };
}

export function validatePayload(suite: string, kind: string, payload: unknown, mode?: Mode): Check {
  const label = mode ? `${kind} (${mode})` : kind;
  return check(suite, label, () => describe(validate(kind, payload, { mode }).errors));
}

interface HarEntry {
  request?: { method?: string; url?: string; postData?: { text?: string } };
  response?: { status?: number; content?: { text?: string; encoding?: string } };
}

function bodyText(content: { text?: string; encoding?: string } | undefined): string | undefined {
  if (content?.text === undefined) return undefined;
  return content.encoding === "base64" ? Buffer.from(content.text, "base64").toString("utf8") : content.text;
}

/** Every Antom call recorded in a HAR file: its request and, when answered, its response. */
export function validateHar(file: string, har: { log?: { entries?: HarEntry[] } }, mode?: Mode): Check[] {
  const entries = har.log?.entries;
  if (!Array.isArray(entries)) return [check(file, "HAR file", () => ["not a HAR file: log.entries is missing"])];
  const checks: Check[] = [];
  entries.forEach((entry, index) => {
    const operationId = operationFromUrl(entry.request?.url ?? "");
    if (!operationId) return;
    const suite = `${basename(file)} #${index} ${operationId}`;
    checks.push(
      check(suite, `${operationId}.request`, () => {
        const text = entry.request?.postData?.text;
        if (text === undefined) return ["the request has no body"];
        return describe(validate(`${operationId}.request`, JSON.parse(text), { mode }).errors);
      }),
    );
    const status = entry.response?.status;
    checks.push(
      check(suite, `${operationId}.response`, () => {
        if (status !== 200) return [`HTTP status ${status}: Antom answers every business outcome with 200 and a result`];
        const text = bodyText(entry.response?.content);
        if (!text) return ["the response has no body"];
        return describe(validate(`${operationId}.response`, JSON.parse(text), { mode: mode ?? "tolerant" }).errors);
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

/**
 * Validates JSON payloads and HAR files. Each file's kind comes from `as`, else from its file
 * name (`pay.request.json`), else from the message (notifications name themselves).
 */
export function validateFiles(paths: string[], options: { as?: string; mode?: Mode } = {}): Check[] {
  const checks: Check[] = [];
  for (const file of paths.flatMap((p) => {
    try {
      return filesUnder(p);
    } catch {
      checks.push(check(p, "read", () => [`cannot read ${p}`]));
      return [];
    }
  })) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      checks.push(check(file, "parse", () => [`not valid JSON: ${(error as Error).message}`]));
      continue;
    }
    if (file.toLowerCase().endsWith(".har") || Array.isArray((data as { log?: { entries?: unknown } })?.log?.entries)) {
      checks.push(...validateHar(file, data as never, options.mode));
      continue;
    }
    const kind = options.as ?? kindFromFileName(file) ?? detectNotificationKind(data);
    if (!kind) {
      checks.push(check(file, "kind", () => ["cannot tell what this message is: name it with --as <kind> (e.g. --as pay.request) or in the file name (pay.request.json)"]));
      continue;
    }
    checks.push(validatePayload(file, kind, data, options.mode));
  }
  return checks;
}
