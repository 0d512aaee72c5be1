import { describe, expect, test } from "vitest";
import { maskPan, redact, redactText } from "../../src/core/redact.js";

describe("the one redaction step", () => {
  test("keeps the first 6 and last 4 digits of a card number, separators included", () => {
    expect(maskPan("4054695723100768")).toBe("405469******0768");
    expect(maskPan("4054 6957 2310 0768")).toBe("4054 69** **** 0768");
    expect(maskPan("1234567890")).toBe("******7890");
    expect(maskPan("************0768")).toBe("************0768");
    expect(maskPan("123")).toBe("***");
  });

  test("finds Luhn-valid card numbers anywhere in text, and leaves other digit runs alone", () => {
    expect(redactText('{"cardNo":"4054695723100768"}')).toBe('{"cardNo":"405469******0768"}');
    expect(redactText("card 5105-1051-0510-5100 declined")).toBe("card 5105-10**-****-5100 declined");
    // A payment ID is a digit run too, but not a Luhn-valid one of card length.
    expect(redactText("20240501194010800100188570271832381")).toBe("20240501194010800100188570271832381");
    expect(redactText("4054695723100769")).toBe("4054695723100769");
  });

  test("hides a CVV written out in text, JSON-escaped or not", () => {
    expect(redactText('{"cvv":"123"}')).not.toContain("123");
    expect(redactText('"{\\"cvv\\":\\"123\\"}"')).not.toContain("123");
    expect(redactText("cvv=987&x=1")).not.toContain("987");
  });

  test("walks structures: secret fields hidden whole, numbers in strings masked at any depth", () => {
    const shown = redact({ paymentMethod: { paymentMethodMetaData: { cardNo: "4054695723100768", cvv: "123", cardholderName: "A" } }, list: [4054695723100768] });
    expect(JSON.stringify(shown)).toBe(
      '{"paymentMethod":{"paymentMethodMetaData":{"cardNo":"405469******0768","cvv":"***","cardholderName":"A"}},"list":["405469******0768"]}',
    );
  });
});
