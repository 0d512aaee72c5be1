// Notification verification a merchant can rely on: a freshness window, another merchant's
// notification refused, and wrong argument types answered with the package's own errors.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { AntomConfigError, NotificationSignatureError, verifyNotification, type VerifyNotificationInput } from "../../src/index.js";
import { signedHeaders } from "../../src/core/signing.js";
import { requestExamples, testKeyPair } from "../client/stand-in.js";
import { root } from "../helpers/paths.js";

const antom = testKeyPair();
const CLIENT_ID = "SANDBOX_5YBZ1K2ZXXXX00000";
const NOW = 1_780_000_000_000;
const body = JSON.stringify(requestExamples("notifyPayment")[0][1]);

function delivered(time: string, clientId = CLIENT_ID): VerifyNotificationInput {
  const headers = signedHeaders({ path: "/notify", clientId, time, body }, antom.privateKey);
  return { path: "/notify", headers: { ...headers }, body, antomPublicKey: antom.publicKey, clientId: CLIENT_ID, now: () => NOW };
}

describe("verifyNotification hardening", () => {
  test("a freshness window refuses a Request-Time too old or too new, and a time that is not epoch milliseconds", () => {
    expect(verifyNotification({ ...delivered(String(NOW - 4 * 60_000)), freshnessMinutes: 5 }).kind).toBe("notifyPayment");
    expect(() => verifyNotification({ ...delivered(String(NOW - 6 * 60_000)), freshnessMinutes: 5 })).toThrow(/6 minutes in the past, outside the freshness window of 5 minutes/);
    expect(() => verifyNotification({ ...delivered(String(NOW + 60 * 60_000)), freshnessMinutes: 5 })).toThrow(/60 minutes in the future/);
    const iso = () => verifyNotification({ ...delivered("2024-05-02T08:56:10+08:00"), freshnessMinutes: 5 });
    expect(iso).toThrow(NotificationSignatureError);
    expect(iso).toThrow(/Request-Time header must be epoch milliseconds/);
    // Without a window the time is only signed, not judged.
    expect(verifyNotification(delivered("2024-05-02T08:56:10+08:00")).kind).toBe("notifyPayment");
    expect(() => verifyNotification({ ...delivered(String(NOW)), freshnessMinutes: -1 })).toThrow(AntomConfigError);
  });

  test("another merchant's notification is refused when clientId is given", () => {
    expect(() => verifyNotification(delivered(String(NOW), "SANDBOX_SOMEONE_ELSE"))).toThrow(/not this merchant's/);
  });

  test("the README snippet and the example receiver pass clientId and a freshness window", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const snippet = readme.slice(readme.indexOf("const n = verifyNotification("), readme.indexOf("const n = verifyNotification(") + 400);
    expect(snippet).toMatch(/clientId:/);
    expect(snippet).toMatch(/freshnessMinutes:/);
    const example = readFileSync(join(root, "examples", "notification-receiver.ts"), "utf8");
    expect(example).toMatch(/clientId: options\.clientId/);
  });

  test.each<[string, (i: VerifyNotificationInput) => unknown, string | RegExp]>([
    ["a signing header given twice (as an array)", (i) => ({ ...i, headers: { ...(i.headers as object), signature: ["a", "b"] } }), /appears 2 times/],
    ["a header value that is not a string", (i) => ({ ...i, headers: { ...(i.headers as object), "request-time": 17 } }), /Request-Time must be a string/],
    ["headers that are not an object", (i) => ({ ...i, headers: "x" }), /headers: must be a Headers object/],
    ["headers null", (i) => ({ ...i, headers: null }), /headers: must be a Headers object/],
    ["a body that is parsed JSON", (i) => ({ ...i, body: JSON.parse(body) }), /body: must be the raw body/],
    ["a body that is a number", (i) => ({ ...i, body: 42 }), /body: must be the raw body/],
    ["a path that is not a string", (i) => ({ ...i, path: undefined }), /path: must be/],
    ["no input at all", () => undefined, /input: must be an object/],
  ])("%s throws the package's typed error, not a TypeError", (_name, change, message) => {
    let thrown: unknown;
    try {
      verifyNotification(change(delivered(String(NOW))) as VerifyNotificationInput);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).not.toBeInstanceOf(TypeError);
    expect((thrown as Error).name).toMatch(/^(AntomConfigError|NotificationSignatureError)$/);
    expect((thrown as Error).message).toMatch(message);
  });
});
