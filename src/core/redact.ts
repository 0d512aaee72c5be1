// The one place card data is masked. Every renderer of a value (validation errors, Antom
// results, CLI reports, logs, the sandbox's delivery log) goes through here, so no output shows
// more than the first 6 and last 4 digits of a card number, or any part of a CVV.

/** Fields whose whole value is secret, wherever they appear. */
const SECRET_FIELDS = new Set(["cvv", "cvv2", "cvc", "cardPasswordDigest", "password"]);
/** Fields that hold a card number, masked even when the number fails the Luhn check. */
const PAN_FIELDS = new Set(["cardNo"]);
/** Personal data shown only as its length. */
const PERSONAL_FIELDS = new Set(["cpf", "businessNo", "dateOfBirth"]);

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
  // Too short to be a whole card number (or already masked): at most its last 4 digits show.
  if (total <= 10) return text.replace(/[0-9]/g, (d) => (++seen > total - 4 && total >= 4 ? d : "*"));
  return text.replace(/[0-9]/g, (d) => (seen++ < 6 || seen > total - 4 ? d : "*"));
}

// A run of 12 to 19 digits, possibly grouped by single spaces or dashes, not inside a longer run.
const PAN_RUN = /(?<![0-9])[0-9](?:[ -]?[0-9]){11,18}(?![0-9])/g;
// A secret field written out inside text (a JSON string, a query string, a message).
const SECRET_IN_TEXT = /((?:"|\b)(?:cvv2?|cvc|cardPasswordDigest|password)(?:\\?"|\b)\s*[:=]\s*\\?"?)([^"\\,&}\s]*)/gi;

/** Text with every Luhn-valid card-number run masked and every written-out CVV hidden. */
export function redactText(text: string): string {
  return text
    .replace(PAN_RUN, (run) => {
      return luhn(run.replace(/[ -]/g, "")) ? maskPan(run) : run;
    })
    .replace(SECRET_IN_TEXT, (_m, head: string, value: string) => `${head}${"*".repeat(Math.min(value.length, 4))}`);
}

/**
 * A value as it may be shown. `field` is the name of the property holding it, when known:
 * secret fields are hidden whole, personal ones shown as their length, and every string inside
 * (at any depth) has card numbers masked.
 */
export function redact(value: unknown, field?: string): unknown {
  if (value === undefined || value === null) return value;
  if (field !== undefined && (SECRET_FIELDS.has(field) || PERSONAL_FIELDS.has(field))) {
    return typeof value === "object" ? "[redacted]" : "*".repeat(String(value).length);
  }
  // A card-number field holding a plain number is masked whatever its checksum; holding anything else, it is text like any other.
  if (field !== undefined && PAN_FIELDS.has(field) && /^[0-9][0-9 -]*$/.test(String(value))) return maskPan(String(value));
  if (typeof value === "string") return redactText(value);
  if (typeof value === "number" || typeof value === "bigint") {
    const text = String(value);
    const masked = redactText(text);
    return masked === text ? value : masked;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redact(item, key);
    return out;
  }
  return value;
}
