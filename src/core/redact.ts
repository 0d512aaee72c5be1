// The one place card data is masked. Every renderer of a value (validation errors, Antom
// results, client errors, CLI reports, logs, the sandbox's delivery log) goes through here, so no
// output shows more than the first 6 and last 4 digits of a card number, or any part of a CVV or
// card password. Card numbers are recognised by the Luhn check wherever they appear (not by field
// name); secrets by the name of the field that holds them, in structures and in text alike.

/** Fields whose whole value is secret, wherever they appear. */
const SECRET_FIELDS = new Set(["cvv", "cvv2", "cvc", "cardPasswordDigest", "password"]);
/** Fields that hold a card number, masked even when the number fails the Luhn check. */
const PAN_FIELDS = new Set(["cardNo"]);
/** Personal data shown only as its length. */
const PERSONAL_FIELDS = new Set(["cpf", "businessNo", "dateOfBirth"]);

/** How deep `redact` walks a structure; deeper parts are shown as `[...]`. */
const MAX_WALK_DEPTH = 32;
/** The longest quoted value an error message carries, in characters. */
export const MAX_QUOTED = 80;

/** Whether a run of digits passes the Luhn checksum that card numbers carry. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A card number as it may be shown: its first 6 and last 4 digits, every other digit a `*`;
 * separators stay. Of 10 digits or fewer (a partial or masked number), only the last 4 show.
 */
export function maskPan(text: string): string {
  const total = text.replace(/[^0-9]/g, "").length;
  let seen = 0;
  if (total <= 10) return text.replace(/[0-9]/g, (d) => (++seen > total - 4 && total >= 4 ? d : "*"));
  return text.replace(/[0-9]/g, (d) => (seen++ < 6 || seen > total - 4 ? d : "*"));
}

// A run of 12 to 19 digits, possibly grouped by single spaces or dashes, not inside a longer run
// and not the decimals of a number (`236.17426399999994`).
const PAN_RUN = /(?<![0-9])(?<![0-9]\.)[0-9](?:[ -]?[0-9]){11,18}(?![0-9])/g;
// The name of a secret field written out in text (JSON, escaped JSON at any level, a query string,
// a message), up to the start of its value.
const SECRET_KEY = /(?:\\*"|\b)(?:cvv2?|cvc|cardPasswordDigest|password)(?:\\*"|\b)\s*[:=]\s*/gi;

/** The end of the value that starts at `from`: a bracketed structure, a quoted string or a bare token. */
function valueEnd(text: string, from: number): number {
  let i = from;
  if (text[i] === "{" || text[i] === "[") {
    let depth = 0;
    for (; i < text.length; i++) {
      if (text[i] === "{" || text[i] === "[") depth++;
      else if (text[i] === "}" || text[i] === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  while (i < text.length && (text[i] === "\\" || text[i] === '"')) i++;
  while (i < text.length && !/["\\,&}\]\s]/.test(text[i])) i++;
  return i;
}

function hideSecretsInText(text: string): string {
  let out = "";
  let last = 0;
  SECRET_KEY.lastIndex = 0;
  for (let m = SECRET_KEY.exec(text); m; m = SECRET_KEY.exec(text)) {
    const start = m.index + m[0].length;
    const end = valueEnd(text, start);
    out += text.slice(last, start) + text.slice(start, end).replace(/[A-Za-z0-9+/=]/g, "*");
    last = end;
    SECRET_KEY.lastIndex = Math.max(end, SECRET_KEY.lastIndex);
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Text with every Luhn-valid card-number run masked and every written-out CVV or card password hidden. */
export function redactText(text: string): string {
  const masked = text.replace(PAN_RUN, (run) => (luhn(run.replace(/[ -]/g, "")) ? maskPan(run) : run));
  return hideSecretsInText(masked);
}

/**
 * A number as it may be shown. A whole number of 12 to 19 digits is masked even when it fails
 * the Luhn check: JSON numbers that long lose their last digits in parsing, so a card number
 * sent as a number no longer passes the check it would have passed as text.
 */
function redactNumber(value: number | bigint): number | string {
  const text = String(value);
  if (/^-?[0-9]{12,19}$/.test(text)) return maskPan(text);
  if (/e\+/.test(text) && Number.isInteger(value as number)) return "[number]";
  return value as number;
}

/**
 * A value as it may be shown. `field` is the name of the property holding it, when known:
 * secret fields are hidden whole, personal ones shown as their length, and every string inside
 * (at any depth) has card numbers masked.
 */
export function redact(value: unknown, field?: string, depth = 0): unknown {
  if (value === undefined || value === null) return value;
  if (field !== undefined && (SECRET_FIELDS.has(field) || PERSONAL_FIELDS.has(field))) {
    return typeof value === "object" ? "[redacted]" : "*".repeat(Math.min(String(value).length, 8));
  }
  if (field !== undefined && PAN_FIELDS.has(field) && (typeof value === "string" || typeof value === "number")) {
    const text = String(value);
    return /^[0-9 -]*$/.test(text) ? maskPan(text) : redactText(text);
  }
  if (typeof value === "string") return redactText(value);
  if (typeof value === "number" || typeof value === "bigint") return redactNumber(value);
  if (typeof value === "boolean") return value;
  if (typeof value !== "object") return `[${typeof value}]`;
  if (depth >= MAX_WALK_DEPTH) return "[...]";
  if (Array.isArray(value)) return value.map((item) => redact(item, undefined, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[redactText(key)] = redact(item, key, depth + 1);
  return out;
}

function describeSize(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (value !== null && typeof value === "object") return `an object with ${Object.keys(value).length} properties`;
  return typeof value;
}

/**
 * A value quoted for a message: redacted, as JSON, and at most `max` characters (a longer one is
 * cut and says what it was, e.g. `["a","b",... (an array of 1000 items)`).
 */
export function quote(value: unknown, field?: string, max = MAX_QUOTED): string {
  let text: string;
  try {
    text = JSON.stringify(redact(value, field)) ?? String(value);
  } catch {
    text = `[${typeof value}]`;
  }
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${describeSize(value)})`;
}

/**
 * A value as an error may carry it: redacted, and when its JSON would exceed `max` characters,
 * replaced by its bounded quotation.
 */
export function boundedValue(value: unknown, field?: string, max = MAX_QUOTED): unknown {
  const shown = redact(value, field);
  let text: string | undefined;
  try {
    text = JSON.stringify(shown);
  } catch {
    return `[${typeof value}]`;
  }
  return text !== undefined && text.length > max ? quote(value, field, max) : shown;
}
