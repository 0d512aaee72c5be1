// What a buyer does on the sandbox's pages, also reachable from tests through the control API:
// pass or fail a 3-D Secure challenge, or enter a card on the hosted payment page.
import type { Engine } from "./engine.js";
import type { CardTokenRecord, PaymentRecord } from "./model.js";
import { announce, authorize, decide } from "./operations/pay.js";
import { testCard } from "./test-cards.js";

export class BuyerActionError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

async function waiting(engine: Engine, tenant: string, paymentId: string, page: "challenge" | "hosted"): Promise<PaymentRecord> {
  const payment = await engine.payment(tenant, paymentId);
  if (!payment) throw new BuyerActionError(404, "paymentId", `no payment ${paymentId} for client ID ${tenant}`);
  if (payment.status !== "PROCESSING" || payment.pending !== page) {
    throw new BuyerActionError(409, "paymentId", `the payment is ${payment.status}${payment.pending ? ` and waiting for ${payment.pending}` : ""}, not waiting for ${page === "challenge" ? "a 3-D Secure challenge" : "a card on the hosted page"}`);
  }
  return payment;
}

/** Passes or fails the pending 3-D Secure challenge; notifyPayment (and notifyCapture) follow. */
export async function completeChallenge(engine: Engine, tenant: string, paymentId: string, outcome: "pass" | "fail"): Promise<PaymentRecord> {
  await waiting(engine, tenant, paymentId, "challenge");
  const now = await engine.clocks.now(tenant);
  const updated = await engine.updatePayment(tenant, paymentId, (current) => {
    if (current.status !== "PROCESSING" || current.pending !== "challenge") return undefined;
    if (outcome === "pass") return authorize({ ...current, history: [...current.history, { time: now, event: "3-D Secure challenge passed" }] }, current.card!, now);
    return {
      ...current,
      status: "FAIL",
      resultCode: "USER_PAYMENT_VERIFICATION_FAILED",
      resultMessage: "the buyer failed the 3-D Secure challenge",
      pending: undefined,
      history: [...current.history, { time: now, event: "3-D Secure challenge failed: FAIL / USER_PAYMENT_VERIFICATION_FAILED" }],
    };
  });
  await announce(engine, tenant, updated!);
  return updated!;
}

/** Enters a card on the hosted page; the test card decides, as for a card sent in pay. */
export async function enterCard(engine: Engine, tenant: string, paymentId: string, card: { cardNo: string; expiryMonth?: string; expiryYear?: string; cvv?: string }): Promise<PaymentRecord> {
  const payment = await waiting(engine, tenant, paymentId, "hosted");
  const now = await engine.clocks.now(tenant);
  const entry = testCard(card.cardNo);
  if (!entry) throw new BuyerActionError(400, "cardNo", "cardNo fails the Luhn check; use a test card (docs/sandbox.md)");
  const decision = decide(entry, card, payment.amount.value, now, payment.tokenize);
  const updated = await engine.updatePayment(tenant, paymentId, (current) => {
    if (current.status !== "PROCESSING" || current.pending !== "hosted") return undefined;
    const entered = { ...current, history: [...current.history, { time: now, event: `card ${entry.cardNo.slice(-4)} entered on the hosted page` }] };
    switch (decision.kind) {
      case "authorized":
        return authorize(entered, decision.card, now);
      case "page":
        return { ...entered, card: decision.card, pending: "challenge", history: [...entered.history, { time: now, event: "3-D Secure challenge pending" }] };
      case "unknown":
        return { ...entered, card: decision.card, pending: undefined, resultCode: decision.resultCode, resultMessage: decision.resultMessage };
      case "fail":
        return { ...entered, status: "FAIL", resultCode: decision.resultCode, resultMessage: decision.resultMessage, pending: undefined, history: [...entered.history, { time: now, event: `failed: ${decision.resultCode}` }] };
    }
  });
  if (updated!.card?.cardToken && payment.tokenize) {
    await engine.store.insert<CardTokenRecord>(tenant, "cardTokens", updated!.card.cardToken, { cardNo: card.cardNo, masked: updated!.card.masked });
  }
  await announce(engine, tenant, updated!);
  return updated!;
}
