// A card payment end to end with the typed client: sign, pay (authorize, manual capture),
// receive the signed notifyPayment, capture, inquire.
//
//   npx tsx examples/card-payment.ts
//
// Everything runs on 127.0.0.1: a small local stand-in plays Antom (it checks each request's
// signature and signs its answers and notifications), so no keys or network are needed. With
// sandbox keys, drop the stand-in and point the client at Antom:
//   createAntomClient({ baseUrl: "https://open-sea-global.alipay.com", clientId: "SANDBOX_...",
//                       privateKey: "<base64 PKCS#8 from the Dashboard>", antomPublicKey: "<base64>" })
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  contentToSign,
  createAntomClient,
  notificationAck,
  parseSignatureHeader,
  signatureHeader,
  signContent,
  verifyContent,
  type AntomNotification,
  type RequestBody,
} from "../src/index.js";

const CLIENT_ID = "SANDBOX_5YBZ1K2ZXXXX00000";
const NOTIFY_PATH = "/antom/notify";

// Test-only keys made for this run, exported the way the Antom Dashboard shows keys: base64 DER.
function testKeys() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privateBase64: (privateKey.export({ type: "pkcs8", format: "der" }) as Buffer).toString("base64"),
    publicBase64: (publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64"),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => done(Buffer.concat(chunks))).on("error", fail);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");

/** A minimal stand-in for Antom's gateway: verifies, remembers payments, signs what it sends. */
function localAntom(merchantPublicKey: KeyObject, antomPrivateKey: KeyObject): { server: Server; delivery: () => Promise<string> } {
  const payments = new Map<string, { request: any; paymentId: string; captured: boolean }>();
  let delivered: Promise<string> = new Promise(() => {});

  /** Sends a signed notification and returns the merchant's answer. */
  async function notify(url: string, body: object): Promise<string> {
    const text = JSON.stringify(body);
    const time = now();
    const signature = signContent({ path: new URL(url).pathname, clientId: CLIENT_ID, time, body: text }, antomPrivateKey);
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Client-Id": CLIENT_ID, "Request-Time": time, Signature: signatureHeader(signature) },
      body: text,
    });
    return `${response.status} ${await response.text()}`;
  }

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = req.url ?? "";
    const signed = parseSignatureHeader(req.headers["signature"] as string);
    const valid =
      !!signed &&
      verifyContent({ path, clientId: String(req.headers["client-id"]), time: String(req.headers["request-time"]), body }, signed.signature, merchantPublicKey);
    let answer: object;
    let afterAnswer: (() => Promise<string>) | undefined;
    if (!valid) {
      answer = { result: { resultCode: "INVALID_SIGNATURE", resultStatus: "F", resultMessage: "Invalid signature." } };
    } else {
      const request = JSON.parse(body.toString("utf8"));
      const operation = path.split("/").pop();
      const ok = { resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success" };
      if (operation === "pay") {
        const paymentId = `2024${Date.now()}`;
        payments.set(paymentId, { request, paymentId, captured: false });
        const card = { cardNo: `************${request.paymentMethod.paymentMethodMetaData.cardNo.slice(-4)}`, cardBrand: "VISA", funding: "CREDIT" };
        answer = { result: ok, paymentRequestId: request.paymentRequestId, paymentId, paymentAmount: request.paymentAmount, paymentCreateTime: now(), paymentTime: now(), paymentResultInfo: card };
        afterAnswer = () =>
          notify(request.paymentNotifyUrl, {
            notifyType: "PAYMENT_RESULT",
            result: ok,
            paymentRequestId: request.paymentRequestId,
            paymentId,
            paymentAmount: request.paymentAmount,
            paymentCreateTime: now(),
            paymentTime: now(),
            paymentResultInfo: card,
          });
      } else if (operation === "capture") {
        const payment = payments.get(request.paymentId);
        if (!payment) answer = { result: { resultCode: "ORDER_NOT_EXIST", resultStatus: "F", resultMessage: "The order does not exist." } };
        else {
          payment.captured = true;
          answer = { result: ok, captureRequestId: request.captureRequestId, captureId: `CAP${payment.paymentId}`, paymentId: payment.paymentId, captureAmount: request.captureAmount, captureTime: now() };
        }
      } else if (operation === "inquiryPayment") {
        const payment = payments.get(request.paymentId);
        answer = payment
          ? {
              result: ok,
              paymentStatus: "SUCCESS",
              paymentId: payment.paymentId,
              paymentRequestId: payment.request.paymentRequestId,
              paymentAmount: payment.request.paymentAmount,
              transactions: payment.captured
                ? [{ transactionType: "CAPTURE", transactionStatus: "SUCCESS", transactionRequestId: "CAPTURE_1", transactionId: `CAP${payment.paymentId}`, transactionAmount: payment.request.paymentAmount, transactionResult: ok }]
                : [],
            }
          : { result: { resultCode: "ORDER_NOT_EXIST", resultStatus: "F", resultMessage: "The order does not exist." } };
      } else {
        answer = { result: { resultCode: "NO_INTERFACE_DEF", resultStatus: "F", resultMessage: "No such API." } };
      }
    }
    const text = JSON.stringify(answer);
    const headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
    if (valid) {
      const time = now();
      headers["client-id"] = CLIENT_ID;
      headers["response-time"] = time;
      headers["signature"] = signatureHeader(signContent({ path, clientId: CLIENT_ID, time, body: text }, antomPrivateKey));
    }
    res.writeHead(200, headers).end(text);
    if (afterAnswer) delivered = afterAnswer();
  });
  return { server, delivery: () => delivered };
}

export async function main(): Promise<void> {
  const merchantKeys = testKeys();
  const antomKeys = testKeys();
  const { server: antom, delivery } = localAntom(merchantKeys.publicKey, antomKeys.privateKey);
  const antomUrl = await listen(antom);

  const client = createAntomClient({
    baseUrl: antomUrl, // for real: https://open-sea-global.alipay.com (or another regional gateway)
    clientId: CLIENT_ID, // SANDBOX_ selects the /ams/sandbox/api prefix
    privateKey: merchantKeys.privateBase64,
    antomPublicKey: antomKeys.publicBase64,
  });

  // The merchant's notification endpoint: verify over the raw body, then acknowledge.
  let notified: (n: AntomNotification) => void;
  const notification = new Promise<AntomNotification>((done) => (notified = done));
  const merchant = createServer(async (req, res) => {
    const body = await readBody(req);
    try {
      const verified = client.verifyNotification({ path: req.url ?? "", headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "application/json" }).end(notificationAck());
      notified(verified);
    } catch (error) {
      res.writeHead(400, { "Content-Type": "text/plain" }).end(String((error as Error).message));
    }
  });
  const merchantUrl = await listen(merchant);

  try {
    const payment: RequestBody<"pay"> = {
      productCode: "CASHIER_PAYMENT",
      paymentRequestId: `PAY_${Date.now()}`,
      order: { referenceOrderId: "ORDER_1", orderDescription: "Espresso machine", orderAmount: { currency: "USD", value: "1000" } },
      paymentAmount: { currency: "USD", value: "1000" },
      // A test card (Visa, succeeds in Antom's sandbox). Never log card numbers or CVVs.
      paymentMethod: {
        paymentMethodType: "CARD",
        paymentMethodMetaData: { cardNo: "4054695723100768", cvv: "123", expiryMonth: "12", expiryYear: "30", cardholderName: { firstName: "Jane", lastName: "Doe" } },
      },
      paymentFactor: { isAuthorization: true, captureMode: "MANUAL" },
      paymentRedirectUrl: "https://www.example.com/checkout/result",
      paymentNotifyUrl: `${merchantUrl}${NOTIFY_PATH}`,
      settlementStrategy: { settlementCurrency: "USD" },
      env: { terminalType: "WEB", clientIp: "203.0.113.10" },
    };

    console.log("1. sign (the client does this for every request)");
    const sample = { path: new URL(`${client.endpoint}/v1/payments/inquiryPayment`).pathname, clientId: CLIENT_ID, time: String(Date.now()), body: '{"paymentId":"1"}' };
    console.log(`   content: ${JSON.stringify(contentToSign(sample).toString("utf8"))}`);
    console.log(`   Signature: ${signatureHeader(signContent(sample, merchantKeys.privateBase64)).slice(0, 72)}...`);

    console.log("2. pay (authorize, manual capture)");
    const paid = await client.pay(payment);
    if (paid.resultStatus !== "S") throw new Error(`pay: ${paid.resultStatus} ${paid.resultCode} ${paid.resultMessage ?? ""}`);
    console.log(`   ${paid.resultStatus} ${paid.resultCode}, paymentId ${paid.paymentId}, card ${paid.paymentResultInfo?.cardNo}, response ${paid.verification}`);

    console.log("3. receive notifyPayment");
    const received = await notification;
    if (received.kind !== "notifyPayment") throw new Error(`unexpected notification ${received.kind}`);
    console.log(`   verified ${received.kind} ${received.body.notifyType} ${received.body.result.resultStatus} ${received.body.result.resultCode} for ${received.body.paymentId}`);
    console.log(`   acknowledged: ${await delivery()}`);

    console.log("4. capture");
    const captured = await client.capture({ captureRequestId: `CAPTURE_${Date.now()}`, paymentId: paid.paymentId!, captureAmount: payment.paymentAmount });
    if (captured.resultStatus !== "S") throw new Error(`capture: ${captured.resultStatus} ${captured.resultCode}`);
    console.log(`   ${captured.resultStatus} ${captured.resultCode}, captureId ${captured.captureId}, response ${captured.verification}`);

    console.log("5. inquiryPayment");
    const inquiry = await client.inquiryPayment({ paymentId: paid.paymentId! });
    if (inquiry.resultStatus !== "S") throw new Error(`inquiryPayment: ${inquiry.resultStatus} ${inquiry.resultCode}`);
    const transactions = (inquiry.transactions ?? []).map((t) => `${t.transactionType} ${t.transactionStatus}`).join(", ");
    console.log(`   paymentStatus ${inquiry.paymentStatus}; transactions: ${transactions || "none"}; response ${inquiry.verification}`);
    console.log("done");
  } finally {
    antom.closeAllConnections();
    merchant.closeAllConnections();
    await Promise.all([new Promise((r) => antom.close(r)), new Promise((r) => merchant.close(r))]);
  }
}

await main().catch((error) => {
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
