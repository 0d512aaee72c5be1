// A tour of the local sandbox (docs/sandbox.md) with the typed client: a 3-D Secure challenge,
// manual capture in two parts, an authorization that expires, and a notification redelivered
// until the receiver acknowledges it.
//
//   npx tsx examples/sandbox-tour.ts
//
// The sandbox runs in this process on a free port of 127.0.0.1, with keys made for this run in
// a temporary folder, next to a small notification receiver that verifies every notification
// with the package's verifyNotification. Each step prints what happens and checks it; the
// script exits 0 only if every check passed. Against a sandbox started with `npm run sandbox`,
// use the URL and keys it prints instead.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAntomClient, notificationAck, verifyNotification, type AntomNotification, type RequestBody } from "../src/index.js";
import { startFromOptions } from "../src/sandbox/cli.js";

const CLIENT_ID = "SANDBOX_TOUR_MERCHANT";
const CHALLENGE_CARD = "4000000000003220";
const VISA = "4054695723100768";

// ---- checks and output --------------------------------------------------------------------

let failures = 0;
function check(ok: boolean, what: string): boolean {
  console.log(`   ${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
  return ok;
}
/** A card number as it may be shown: the first 6 and last 4 digits. */
const masked = (cardNo: string) => `${cardNo.slice(0, 6)}${"*".repeat(cardNo.length - 10)}${cardNo.slice(-4)}`;
const say = (line: string) => console.log(`   ${line}`);

// ---- the sandbox, the client and the receiver -----------------------------------------------

const keysDir = mkdtempSync(join(tmpdir(), "antom-sandbox-tour-"));
const { sandbox } = await startFromOptions(
  { port: 0, host: "127.0.0.1", clientId: CLIENT_ID, keysDir, allowRemoteNotifications: false, unsignedErrors: false },
  (line) => console.error(line),
);
const antomPublicKey = readFileSync(join(keysDir, "antom-public-key.pem"));
const antom = createAntomClient({ baseUrl: sandbox.url, clientId: CLIENT_ID, privateKey: readFileSync(join(keysDir, "merchant-private-key.pem")), antomPublicKey });

interface Received {
  path: string;
  notification?: AntomNotification;
  /** Why verifyNotification refused it. */
  refused?: string;
  acknowledged: boolean;
}
const received: Received[] = [];
/** Paths whose next requests the receiver answers HTTP 500, and how many. */
const failuresToGive = new Map<string, number>();

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => done(Buffer.concat(chunks))).on("error", fail);
  });
}

const receiver = createServer(async (req, res) => {
  const body = await readBody(req);
  const path = req.url ?? "/";
  let entry: Received;
  try {
    entry = { path, notification: verifyNotification({ path, headers: req.headers, body, antomPublicKey, clientId: CLIENT_ID }), acknowledged: false };
  } catch (error) {
    entry = { path, refused: (error as Error).message, acknowledged: false };
  }
  received.push(entry);
  const toFail = failuresToGive.get(path) ?? 0;
  if (toFail > 0 || entry.refused) {
    failuresToGive.set(path, toFail - 1);
    res.writeHead(500, { "Content-Type": "text/plain" }).end("not now");
    return;
  }
  entry.acknowledged = true;
  res.writeHead(200, { "Content-Type": "application/json" }).end(notificationAck());
});
await new Promise<void>((ready) => receiver.listen(0, "127.0.0.1", ready));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

// A whole-tour guard: a stuck step fails the run instead of hanging it.
const guard = setTimeout(() => {
  console.error("the tour took longer than 60 s");
  process.exit(1);
}, 60_000);

// ---- helpers --------------------------------------------------------------------------------

let sequence = 0;
const requestId = (what: string) => `TOUR_${what}_${Date.now()}_${++sequence}`;

function payRequest(cardNo: string, options: { notifyPath: string; manual?: boolean; value?: string }): RequestBody<"pay"> {
  const amount = { currency: "USD", value: options.value ?? "1000" };
  return {
    productCode: "CASHIER_PAYMENT",
    paymentRequestId: requestId("PAY"),
    order: { referenceOrderId: requestId("ORDER"), orderDescription: "Sandbox tour", orderAmount: amount },
    paymentAmount: amount,
    paymentMethod: { paymentMethodType: "CARD", paymentMethodMetaData: { cardNo, cvv: "123", expiryMonth: "12", expiryYear: "30" } },
    paymentFactor: { isAuthorization: true, ...(options.manual ? { captureMode: "MANUAL" } : {}) },
    env: { terminalType: "WEB" },
    paymentRedirectUrl: "https://merchant.example/return",
    paymentNotifyUrl: `${receiverUrl}${options.notifyPath}`,
    settlementStrategy: { settlementCurrency: "USD" },
  } as RequestBody<"pay">;
}

/** Calls the control API; throws on anything but HTTP 200. */
async function control(method: "GET" | "POST", path: string, body?: object): Promise<any> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body ? { "Content-Type": "application/json" } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (response.status !== 200) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Waits until `test` holds (polling), up to `ms`; whether it did. */
async function until(test: () => boolean | Promise<boolean>, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await test()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return test();
}

const notificationsAt = (path: string) => received.filter((r) => r.path === path);
const deliveriesOf = async (paymentId: string) =>
  ((await control("GET", `/sandbox/notifications?clientId=${CLIENT_ID}`)).notifications as any[]).filter((d) => d.paymentId === paymentId);

// ---- 1. 3-D Secure challenge -----------------------------------------------------------------

async function challenge(): Promise<void> {
  console.log(`\n1. 3-D Secure challenge: pay with the challenge card ${masked(CHALLENGE_CARD)}`);
  const paid = await antom.pay(payRequest(CHALLENGE_CARD, { notifyPath: "/notify/challenge" }));
  const body = paid.body as any;
  say(`pay: ${paid.resultStatus} ${paid.resultCode}, response ${paid.verification}`);
  check(paid.verification === "verified", "the answer is signed by the sandbox");
  check(paid.resultStatus === "U" && paid.resultCode === "PAYMENT_IN_PROCESS", "pay answers U / PAYMENT_IN_PROCESS");
  check(typeof body.normalUrl === "string" && body.normalUrl.includes("/sandbox/pages/challenge/"), "with a normalUrl to the challenge page");
  const paymentId: string = body.paymentId;

  const before = await antom.inquiryPayment({ paymentId });
  check((before.body as any).paymentStatus === "PROCESSING", "inquiryPayment says PROCESSING while the buyer has not answered");

  say("the buyer passes the challenge: POST /sandbox/payments/{paymentId}/challenge {\"outcome\":\"pass\"}");
  const after = await control("POST", `/sandbox/payments/${paymentId}/challenge`, { clientId: CLIENT_ID, outcome: "pass" });
  check(after.status === "SUCCESS", `the payment is ${after.status}`);

  await until(() => notificationsAt("/notify/challenge").length >= 2);
  const [payment, capture] = notificationsAt("/notify/challenge");
  const notified = payment?.notification?.kind === "notifyPayment" ? (payment.notification.body as any) : undefined;
  if (notified) say(`notifyPayment, verified: ${notified.notifyType} ${notified.result.resultStatus} ${notified.result.resultCode}, card ${notified.paymentResultInfo?.cardNo}, challenged ${notified.paymentResultInfo?.threeDSResult?.challenged}`);
  check(notified?.result?.resultStatus === "S" && notified.paymentId === paymentId, "notifyPayment arrives, verified with verifyNotification, S / SUCCESS");
  check(notified?.paymentResultInfo?.threeDSResult?.challenged === true, "its threeDSResult says the buyer was challenged");
  check(capture?.notification?.kind === "notifyCapture", "notifyCapture (automatic capture) follows it");
}

// ---- 2. Manual capture -------------------------------------------------------------------------

async function manualCapture(): Promise<void> {
  console.log(`\n2. Manual capture: authorize 10.00 USD with ${masked(VISA)}, capture 6.00 then 4.00`);
  const paid = await antom.pay(payRequest(VISA, { notifyPath: "/notify/capture", manual: true }));
  const body = paid.body as any;
  say(`pay: ${paid.resultStatus} ${paid.resultCode}, card ${body.paymentResultInfo?.cardNo}, authExpiryTime ${body.authExpiryTime}`);
  check(paid.resultStatus === "S" && typeof body.authExpiryTime === "string", "authorized, with an authExpiryTime");
  const paymentId: string = body.paymentId;

  for (const [id, value] of [["C1", "600"], ["C2", "400"]] as const) {
    const captured = await antom.capture({ captureRequestId: requestId(id), paymentId, captureAmount: { currency: "USD", value } });
    say(`capture ${value}: ${captured.resultStatus} ${captured.resultCode}, captureId ${(captured.body as any).captureId}`);
    check(captured.resultStatus === "S", `capture of ${value} succeeds`);
  }
  const over = await antom.capture({ captureRequestId: requestId("C3"), paymentId, captureAmount: { currency: "USD", value: "1" } });
  say(`capture 1 more: ${over.resultStatus} ${over.resultCode}`);
  check(over.resultStatus === "F" && over.resultCode === "CAPTURE_AMOUNT_EXCEED_AUTH_LIMIT", "a third capture past the authorization is refused");

  const inquiry = await antom.inquiryPayment({ paymentId });
  const transactions = ((inquiry.body as any).transactions ?? []) as any[];
  say(`inquiryPayment: paymentStatus ${(inquiry.body as any).paymentStatus}; transactions ${transactions.map((t) => `${t.transactionType} ${t.transactionAmount.value} ${t.transactionStatus}`).join(", ")}`);
  check(transactions.length === 2 && transactions.map((t) => t.transactionAmount.value).join(",") === "600,400", "two CAPTURE transactions, 600 and 400");

  await until(() => notificationsAt("/notify/capture").length >= 3);
  const kinds = notificationsAt("/notify/capture").map((r) => r.notification?.kind ?? `refused (${r.refused})`);
  say(`notifications: ${kinds.join(", ")}`);
  check(kinds.join(",") === "notifyPayment,notifyCapture,notifyCapture", "notifyPayment, then one notifyCapture per capture, all verified");
}

// ---- 3. Expiry ------------------------------------------------------------------------------------

async function expiry(): Promise<void> {
  console.log("\n3. Expiry: authorize, move the merchant's clock 7 days on, capture");
  const paid = await antom.pay(payRequest(VISA, { notifyPath: "/notify/expiry", manual: true }));
  const body = paid.body as any;
  check(paid.resultStatus === "S", `authorized until ${body.authExpiryTime}`);
  const clock = await control("POST", "/sandbox/clock", { clientId: CLIENT_ID, advance: "P7D" });
  say(`POST /sandbox/clock {"advance":"P7D"}: the merchant's clock reads ${clock.now}`);
  const captured = await antom.capture({ captureRequestId: requestId("LATE"), paymentId: body.paymentId, captureAmount: { currency: "USD", value: "1000" } });
  say(`capture: ${captured.resultStatus} ${captured.resultCode}: ${captured.resultMessage}`);
  check(captured.resultStatus === "F" && captured.resultCode === "AUTH_EXPIRED", "capture after the authorization lapsed gets AUTH_EXPIRED");
}

// ---- 4. Redelivery --------------------------------------------------------------------------------

async function redelivery(): Promise<void> {
  console.log("\n4. Redelivery: the receiver fails the first 2 attempts");
  failuresToGive.set("/notify/flaky", 2);
  const paid = await antom.pay(payRequest(VISA, { notifyPath: "/notify/flaky" }));
  const paymentId: string = (paid.body as any).paymentId;
  check(paid.resultStatus === "S", "pay succeeds (automatic capture)");

  const notifyPayment = async () => (await deliveriesOf(paymentId)).find((d) => d.kind === "notifyPayment");
  await until(async () => ((await notifyPayment())?.attempts.length ?? 0) >= 1);
  let delivery = await notifyPayment();
  say(`attempt 1 at once: HTTP ${delivery?.attempts[0]?.httpStatus}; ${delivery?.attempts[0]?.verdict}; next attempt ${delivery?.nextAttemptTime}`);
  check(delivery?.state === "pending" && delivery.attempts[0]?.acknowledged === false, "not acknowledged: pending");

  await control("POST", "/sandbox/clock", { clientId: CLIENT_ID, advance: "PT2M" });
  delivery = await notifyPayment();
  say(`advance PT2M -> attempt 2: HTTP ${delivery?.attempts[1]?.httpStatus}; ${delivery?.attempts[1]?.verdict}`);
  check(delivery?.attempts.length === 2 && delivery.state === "pending", "the second attempt was made before the clock call returned, and failed");
  const captureWaiting = (await deliveriesOf(paymentId)).find((d) => d.kind === "notifyCapture");
  check(captureWaiting?.attempts.length === 0, "notifyCapture waits behind the unacknowledged notifyPayment");

  await control("POST", "/sandbox/clock", { clientId: CLIENT_ID, advance: "PT10M" });
  delivery = await notifyPayment();
  say(`advance PT10M -> attempt 3: HTTP ${delivery?.attempts[2]?.httpStatus}; ${delivery?.attempts[2]?.verdict}`);
  check(delivery?.attempts.length === 3 && delivery.state === "acknowledged", "the third attempt is acknowledged");

  say("GET /sandbox/notifications:");
  for (const attempt of delivery?.attempts ?? []) say(`  notifyPayment attempt ${attempt.attempt} at ${attempt.time}: HTTP ${attempt.httpStatus}, ${attempt.acknowledged ? "acknowledged" : "not acknowledged"}`);
  const times = (delivery?.attempts ?? []).map((a: any) => Date.parse(a.time));
  check(times[1] - times[0] === 2 * 60_000 && times[2] - times[1] === 10 * 60_000, "attempts 2 minutes, then 10 minutes apart on the merchant's clock");

  await until(() => notificationsAt("/notify/flaky").some((r) => r.notification?.kind === "notifyCapture" && r.acknowledged));
  const seen = notificationsAt("/notify/flaky").map((r) => `${r.notification?.kind ?? "refused"}${r.acknowledged ? " (acknowledged)" : " (HTTP 500)"}`);
  say(`the receiver saw: ${seen.join(", ")}`);
  check(seen.join(",") === "notifyPayment (HTTP 500),notifyPayment (HTTP 500),notifyPayment (acknowledged),notifyCapture (acknowledged)", "three notifyPayment attempts, then notifyCapture");
}

// ---- run --------------------------------------------------------------------------------------------

console.log(`Sandbox at ${sandbox.url}, merchant ${CLIENT_ID}; notifications to ${receiverUrl}`);
try {
  await challenge();
  await manualCapture();
  await expiry();
  await redelivery();
  const refused = received.filter((r) => r.refused);
  check(refused.length === 0, `every notification verified (${received.length} received)`);
} catch (error) {
  failures++;
  console.log(`   FAIL ${(error as Error).stack ?? error}`);
} finally {
  clearTimeout(guard);
  await sandbox.close();
  await new Promise<void>((done) => {
    receiver.closeAllConnections();
    receiver.close(() => done());
  });
  rmSync(keysDir, { recursive: true, force: true });
}
console.log(failures === 0 ? "\nEvery step behaved as expected." : `\n${failures} check(s) failed.`);
process.exitCode = failures === 0 ? 0 : 1;
