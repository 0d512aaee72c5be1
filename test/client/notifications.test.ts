// Notifications: signature over the raw body and the merchant's path, kind detection,
// validation against the contract, and the acknowledgement body.
import { sign } from "node:crypto";
import { describe, expect, test } from "vitest";
import { validate } from "../../src/core/validate.js";
import {
  AntomConfigError,
  AntomNotificationError,
  createAntomClient,
  NotificationBodyError,
  NotificationSignatureError,
  notificationAck,
  verifyNotification,
  type VerifyNotificationInput,
} from "../../src/index.js";
import { spec } from "../helpers/spec.js";
import { requestExamples, testKeyPair } from "./stand-in.js";

const antom = testKeyPair();
const notAntom = testKeyPair();
const CLIENT_ID = "SANDBOX_5YBZ1K2ZXXXX00000";
const PATH = "/antom/notify";
const antomPublicKeyDer = (antom.publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");

/** A notification as Antom sends it, signed independently of the code under test. */
function antomSends(body: string, options: { path?: string; time?: string; key?: typeof antom.privateKey; clientId?: string } = {}) {
  const time = options.time ?? "2024-05-02T08:56:10+08:00";
  const clientId = options.clientId ?? CLIENT_ID;
  const content = Buffer.from(`POST ${options.path ?? PATH}\n${clientId}.${time}.${body}`, "utf8");
  const signature = sign("sha256", content, options.key ?? antom.privateKey).toString("base64");
  return {
    path: PATH,
    // Node's IncomingHttpHeaders: lower-case names.
    headers: { "client-id": clientId, "request-time": time, signature: `algorithm=RSA256,keyVersion=1,signature=${encodeURIComponent(signature)}`, "content-type": "application/json" },
    body,
    antomPublicKey: antomPublicKeyDer,
  } satisfies VerifyNotificationInput;
}

const KINDS = ["notifyPayment", "notifyCapture", "notifyDispute"] as const;

describe("verified notifications", () => {
  test.each(KINDS.flatMap((kind) => requestExamples(kind).map(([name, value]) => [kind, name, value] as const)))(
    "%s %s: verified, validated and recognised",
    (kind, _, value) => {
      const raw = JSON.stringify(value, null, 2);
      const notification = verifyNotification(antomSends(raw));
      expect(notification.kind).toBe(kind);
      expect(notification.body).toEqual(value);
      expect(notification.clientId).toBe(CLIENT_ID);
      expect(notification.requestTime).toBe("2024-05-02T08:56:10+08:00");
    },
  );

  test("headers may be a Headers object, the body bytes, the path a full URL, the key PEM", () => {
    const sent = antomSends(JSON.stringify(requestExamples("notifyCapture")[0][1]));
    const notification = verifyNotification({
      path: `https://merchant.example.com${PATH}`,
      headers: new Headers(sent.headers),
      body: Buffer.from(sent.body, "utf8"),
      antomPublicKey: antom.publicKey.export({ type: "spki", format: "pem" }) as string,
    });
    expect(notification.kind).toBe("notifyCapture");
  });

  test("a dispute is recognised by disputeNotificationType even when it carries a notifyType", () => {
    const value = { ...requestExamples("notifyDispute")[0][1], notifyType: "DISPUTE" };
    expect(verifyNotification(antomSends(JSON.stringify(value))).kind).toBe("notifyDispute");
  });

  test("fields Antom adds later are accepted", () => {
    const value = { ...requestExamples("notifyPayment")[0][1], someNewField: { nested: true } };
    expect(verifyNotification(antomSends(JSON.stringify(value))).kind).toBe("notifyPayment");
  });

  test("the client's verifyNotification uses its own key and client ID", () => {
    const client = createAntomClient({ baseUrl: "http://127.0.0.1:9", clientId: CLIENT_ID, privateKey: notAntom.privateKey, antomPublicKey: antomPublicKeyDer });
    const { path, headers, body } = antomSends(JSON.stringify(requestExamples("notifyPayment")[0][1]));
    expect(client.verifyNotification({ path, headers, body }).kind).toBe("notifyPayment");
    const otherMerchant = antomSends(JSON.stringify(requestExamples("notifyPayment")[0][1]), { clientId: "SANDBOX_OTHER" });
    expect(() => client.verifyNotification(otherMerchant)).toThrow(NotificationSignatureError);
    const noKey = createAntomClient({ baseUrl: "http://127.0.0.1:9", clientId: CLIENT_ID, privateKey: notAntom.privateKey });
    expect(() => noKey.verifyNotification({ path, headers, body })).toThrow(AntomConfigError);
  });
});

describe("rejected: signature", () => {
  const body = JSON.stringify(requestExamples("notifyPayment")[0][1]);

  test.each<[string, (sent: ReturnType<typeof antomSends>) => VerifyNotificationInput]>([
    ["a changed body", (s) => ({ ...s, body: s.body.replace('"S"', '"F"') })],
    ["a re-serialised body", (s) => ({ ...s, body: JSON.stringify(JSON.parse(s.body), null, 1) })],
    ["another path", (s) => ({ ...s, path: "/other/notify" })],
    ["a changed Request-Time", (s) => ({ ...s, headers: { ...s.headers, "request-time": "2024-05-02T08:56:11+08:00" } })],
    ["another Client-Id", (s) => ({ ...s, headers: { ...s.headers, "client-id": "SANDBOX_OTHER" } })],
    ["another key", (s) => ({ ...s, antomPublicKey: notAntom.publicKey })],
    ["no Signature header", (s) => ({ ...s, headers: { ...s.headers, signature: undefined } })],
    ["no Request-Time header", (s) => ({ ...s, headers: { ...s.headers, "request-time": undefined } })],
    ["a malformed Signature header", (s) => ({ ...s, headers: { ...s.headers, signature: "RSA256 abc" } })],
  ])("%s", (_, change) => {
    const input = change(antomSends(body));
    expect(() => verifyNotification(input)).toThrow(NotificationSignatureError);
    try {
      verifyNotification(input);
    } catch (error) {
      expect(error).toBeInstanceOf(AntomNotificationError);
      expect((error as NotificationSignatureError).reason).toBe("signature");
      expect((error as NotificationSignatureError).result).toMatchObject({ resultCode: "INVALID_SIGNATURE", resultStatus: "F" });
    }
  });
});

describe("rejected: body (signature valid)", () => {
  const bodyError = (raw: string) => {
    try {
      verifyNotification(antomSends(raw));
    } catch (error) {
      expect(error).toBeInstanceOf(NotificationBodyError);
      expect((error as NotificationBodyError).reason).toBe("body");
      expect((error as NotificationBodyError).result).toMatchObject({ resultCode: "PARAM_ILLEGAL", resultStatus: "F" });
      return error as NotificationBodyError;
    }
    throw new Error("expected a NotificationBodyError");
  };

  test("not JSON", () => {
    expect(bodyError("{not json").errors).toEqual([expect.objectContaining({ path: "(root)", rule: "json" })]);
  });

  test("not an object", () => {
    expect(bodyError("[1,2]").errors).toEqual([expect.objectContaining({ path: "(root)", rule: "type" })]);
  });

  test("an unknown notifyType, and none at all", () => {
    expect(bodyError('{"notifyType":"REFUND_RESULT"}').errors).toEqual([expect.objectContaining({ path: "notifyType", rule: "enum" })]);
    expect(bodyError('{"paymentId":"1"}').errors).toEqual([expect.objectContaining({ path: "notifyType", rule: "required" })]);
  });

  test("invalid against the contract: each problem with its field path and rule", () => {
    const value = structuredClone(requestExamples("notifyPayment")[0][1]);
    delete value.paymentId;
    value.paymentAmount.value = "12.50";
    value.result.resultStatus = "OK";
    const error = bodyError(JSON.stringify(value));
    expect(error.kind).toBe("notifyPayment");
    expect(error.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "paymentId", rule: "required" }),
        expect.objectContaining({ path: "paymentAmount.value", rule: "pattern" }),
        expect.objectContaining({ path: "result.resultStatus", rule: "enum" }),
      ]),
    );
    expect(error.message).toMatch(/paymentAmount\.value/);
  });
});

describe("acknowledgement", () => {
  test("is the exact body of the contract's acknowledgement example, and valid for every notification", () => {
    const example = spec.components.responses.NotificationAck.content["application/json"].examples.acknowledged.value;
    expect(notificationAck()).toBe(JSON.stringify(example));
    for (const kind of KINDS) expect(validate(`${kind}.response`, JSON.parse(notificationAck())).valid).toBe(true);
  });
});
