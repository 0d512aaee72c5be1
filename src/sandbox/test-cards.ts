// The sandbox's test cards: Antom's published ones first, then our own Luhn-valid numbers for
// what Antom's list lacks (3-D Secure, specific declines, an insufficient balance, an unknown
// outcome, a card that allows a single capture). docs/sandbox.md renders this table.
import { luhn } from "../core/redact.js";

export type CardOutcome =
  | { kind: "authorize" }
  | { kind: "challenge" }
  | { kind: "frictionless" }
  | { kind: "decline"; resultCode: string; resultStatus?: "F" | "U" };

export interface TestCard {
  cardNo: string;
  brand: string;
  funding: "CREDIT" | "DEBIT";
  issuingCountry: string;
  /** `antom`: published in Antom's test-card list; `sandbox`: this project's own. */
  source: "antom" | "sandbox";
  outcome: CardOutcome;
  /** False for a card whose payment can be captured only once (`MULTI_CAPTURE_NOT_SUPPORTED`). */
  multiCapture?: boolean;
  description: string;
}

export const TEST_CARDS: TestCard[] = [
  { cardNo: "4054695723100768", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "antom", outcome: { kind: "authorize" }, description: "Global Visa: authorized" },
  { cardNo: "5162774114974622", brand: "MASTERCARD", funding: "CREDIT", issuingCountry: "US", source: "antom", outcome: { kind: "authorize" }, description: "Global Mastercard: authorized" },
  { cardNo: "9490220011669217", brand: "HYUNDAI", funding: "CREDIT", issuingCountry: "KR", source: "antom", outcome: { kind: "authorize" }, multiCapture: false, description: "Korea, Hyundai: authorized" },
  { cardNo: "4294097400915107", brand: "VISA", funding: "CREDIT", issuingCountry: "BR", source: "antom", outcome: { kind: "authorize" }, description: "Brazil Visa: authorized" },
  { cardNo: "4006055482525268", brand: "VISA", funding: "CREDIT", issuingCountry: "MX", source: "antom", outcome: { kind: "authorize" }, description: "Mexico Visa: authorized" },
  { cardNo: "4600729331819383", brand: "VISA", funding: "CREDIT", issuingCountry: "CL", source: "antom", outcome: { kind: "authorize" }, description: "Chile Visa: authorized" },
  { cardNo: "4310377720003234", brand: "VISA", funding: "CREDIT", issuingCountry: "PE", source: "antom", outcome: { kind: "authorize" }, description: "Peru Visa: authorized" },
  { cardNo: "4054692760174822", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "antom", outcome: { kind: "decline", resultCode: "DO_NOT_HONOR" }, description: "Visa: declined" },
  { cardNo: "5162770472561357", brand: "MASTERCARD", funding: "CREDIT", issuingCountry: "US", source: "antom", outcome: { kind: "decline", resultCode: "DO_NOT_HONOR" }, description: "Mastercard: declined" },
  { cardNo: "4000000000003220", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "challenge" }, description: "3-D Secure challenge: U / PAYMENT_IN_PROCESS with normalUrl" },
  { cardNo: "4000000000003055", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "frictionless" }, description: "3-D Secure frictionless: authorized, threeDSResult without a challenge" },
  { cardNo: "4000000000000002", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "decline", resultCode: "DO_NOT_HONOR" }, description: "Declined by the issuer" },
  { cardNo: "4000000000009995", brand: "VISA", funding: "DEBIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "decline", resultCode: "USER_BALANCE_NOT_ENOUGH" }, description: "Insufficient balance" },
  { cardNo: "4100000000000019", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "decline", resultCode: "FRAUD_REJECT" }, description: "Rejected by fraud control" },
  { cardNo: "4000000000000036", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "decline", resultCode: "CARD_NOT_SUPPORTED" }, description: "Card not supported" },
  { cardNo: "4000000000000341", brand: "VISA", funding: "CREDIT", issuingCountry: "GB", source: "sandbox", outcome: { kind: "decline", resultCode: "AUTHENTICATION_REQUIRED" }, description: "Soft decline: needs 3-D Secure (challenge with enableAuthenticationUpgrade or is3DSAuthentication)" },
  { cardNo: "4000000000000119", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "decline", resultCode: "UNKNOWN_EXCEPTION", resultStatus: "U" }, description: "Unknown outcome: U / UNKNOWN_EXCEPTION, the payment stays processing until it expires" },
  { cardNo: "4000000000000259", brand: "VISA", funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "authorize" }, multiCapture: false, description: "Authorized; a second capture gets MULTI_CAPTURE_NOT_SUPPORTED" },
  { cardNo: "5555555555554444", brand: "MASTERCARD", funding: "DEBIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "authorize" }, description: "Mastercard debit: authorized" },
];

/** Rules that hold for any card, checked before the card's own outcome (Antom's test data). */
export const TEST_INPUT_RULES = [
  { when: "expiryMonth is 13 (or the expiry date has passed on the tenant's clock)", resultCode: "INVALID_EXPIRATION_DATE", source: "antom" },
  { when: "cvv has 2 digits", resultCode: "INVALID_PAYMENT_METHOD_META_DATA", source: "antom" },
  { when: "paymentAmount.value is \"11\"", resultCode: "RISK_REJECT", source: "antom" },
  { when: "cardNo fails the Luhn check", resultCode: "INVALID_CARD_NUMBER", source: "sandbox" },
] as const;

const byNumber = new Map(TEST_CARDS.map((card) => [card.cardNo, card]));

/** The brand a number belongs to, by its leading digits. */
function brandOf(cardNo: string): string {
  if (/^4/.test(cardNo)) return "VISA";
  if (/^(5[1-5]|2[2-7])/.test(cardNo)) return "MASTERCARD";
  if (/^3[47]/.test(cardNo)) return "AMEX";
  if (/^35/.test(cardNo)) return "JCB";
  if (/^(6011|65)/.test(cardNo)) return "DISCOVER";
  return "UNKNOWN";
}

/** The test card for a number: a listed one, any other Luhn-valid number (authorized), or undefined when the number fails Luhn. */
export function testCard(cardNo: string): TestCard | undefined {
  const listed = byNumber.get(cardNo);
  if (listed) return listed;
  if (cardNo.length < 12 || !luhn(cardNo)) return undefined;
  return { cardNo, brand: brandOf(cardNo), funding: "CREDIT", issuingCountry: "US", source: "sandbox", outcome: { kind: "authorize" }, description: "Any other Luhn-valid number: authorized" };
}
