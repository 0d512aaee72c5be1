// Identifiers in Antom's shapes: 35-digit payment and capture IDs that start with the date, and
// card tokens that start with ALIPAY.
import { randomBytes, randomInt } from "node:crypto";

function digits(count: number): string {
  let out = "";
  while (out.length < count) out += String(randomInt(0, 1e9)).padStart(9, "0");
  return out.slice(0, count);
}

let lastDay = -1;
let lastDayText = "";
/** `YYYYMMDD` of a time, remembered for the day (every ID of a day starts with it). */
function datePart(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(ms).toISOString().slice(0, 10).replace(/-/g, "");
  }
  return lastDayText;
}

/** A payment ID like `20240501194010800100188570271832381`. */
export const newPaymentId = (now: number) => `${datePart(now)}1940108001001${digits(14)}`;
/** A capture ID, same shape as a payment ID. */
export const newCaptureId = (now: number) => `${datePart(now)}1940108001001${digits(14)}`;
/** A dispute ID. */
export const newDisputeId = (now: number) => `${datePart(now)}1940108001${digits(14)}`;
/** A card token like `ALIPAYfX3kq9Tz2bLwN8vJc5RmYhG0sDpE7uVaK4iQ1oWnB6`. */
export const newCardToken = () => `ALIPAY${randomBytes(30).toString("base64url").replace(/[-_]/g, "x").slice(0, 40)}`;
/** The captureRequestId of a capture Antom makes by itself (automatic capture). */
export const automaticCaptureRequestId = (paymentId: string) => `AUTO_CAPTURE_${paymentId}`;
