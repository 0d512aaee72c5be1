// Disputes raised from the control API: notifyDispute DISPUTE_CREATED, then, on request,
// DISPUTE_JUDGED with the judged result.
import { isoTime } from "./clock.js";
import type { Engine } from "./engine.js";
import { newDisputeId } from "./ids.js";
import type { Amount, DeliveryRecord, DisputeRecord } from "./model.js";

/** Days a merchant has to defend, counted from the dispute. */
const DEFENSE_DAYS = 7;

export type DisputeView = Omit<DisputeRecord, "createTime" | "defenseDueTime" | "judgedTime" | "amount"> & { disputeAmount: Amount; notification?: DeliveryRecord };

function body(dispute: DisputeRecord, type: "DISPUTE_CREATED" | "DISPUTE_JUDGED"): Record<string, unknown> {
  return {
    paymentRequestId: dispute.paymentRequestId,
    paymentId: dispute.paymentId,
    disputeId: dispute.disputeId,
    disputeNotificationType: type,
    disputeTime: isoTime(dispute.createTime),
    disputeAmount: dispute.amount,
    disputeReasonCode: dispute.reasonCode,
    disputeReasonMsg: dispute.reasonMsg,
    disputeSource: dispute.source,
    ...(type === "DISPUTE_CREATED"
      ? { defenseDueTime: isoTime(dispute.defenseDueTime), defendable: true }
      : { disputeJudgedResult: dispute.judgedResult, disputeJudgedTime: isoTime(dispute.judgedTime!), disputeJudgedAmount: dispute.amount }),
  };
}

async function send(engine: Engine, tenant: string, dispute: DisputeRecord, type: "DISPUTE_CREATED" | "DISPUTE_JUDGED"): Promise<DisputeView> {
  const payment = (await engine.payment(tenant, dispute.paymentId))!;
  const delivery = await engine.notify(tenant, "notifyDispute", body(dispute, type), dispute.paymentId, await engine.notifyUrlOf(tenant, payment));
  const { createTime: _c, defenseDueTime: _d, judgedTime: _j, amount, ...rest } = dispute;
  return { ...rest, disputeAmount: amount, notification: delivery };
}

export async function raiseDispute(
  engine: Engine,
  tenant: string,
  input: { paymentId: string; disputeAmount?: Amount; disputeReasonCode?: string; disputeReasonMsg?: string; disputeSource?: string },
): Promise<DisputeView> {
  const payment = (await engine.payment(tenant, input.paymentId))!;
  const now = await engine.clocks.now(tenant);
  const dispute: DisputeRecord = {
    disputeId: newDisputeId(now),
    paymentId: payment.paymentId,
    paymentRequestId: payment.paymentRequestId,
    amount: input.disputeAmount ?? payment.amount,
    reasonCode: input.disputeReasonCode ?? "4853",
    reasonMsg: input.disputeReasonMsg ?? "Cardholder dispute: merchandise or services not as described",
    source: input.disputeSource ?? payment.card?.brand ?? "VISA",
    createTime: now,
    defenseDueTime: now + DEFENSE_DAYS * 24 * 3_600_000,
  };
  await engine.store.insert(tenant, "disputes", dispute.disputeId, dispute);
  await engine.updatePayment(tenant, payment.paymentId, (current) => ({ ...current, history: [...current.history, { time: now, event: `dispute ${dispute.disputeId} created` }] }));
  return send(engine, tenant, dispute, "DISPUTE_CREATED");
}

export async function judgeDispute(engine: Engine, tenant: string, disputeId: string, result: string): Promise<DisputeView | undefined> {
  const now = await engine.clocks.now(tenant);
  const judged = await engine.store.update<DisputeRecord>(tenant, "disputes", disputeId, (current) => (current ? { ...current, judgedResult: result, judgedTime: now } : undefined));
  if (!judged) return undefined;
  await engine.updatePayment(tenant, judged.paymentId, (current) => ({ ...current, history: [...current.history, { time: now, event: `dispute ${disputeId} judged: ${result}` }] }));
  return send(engine, tenant, judged, "DISPUTE_JUDGED");
}
