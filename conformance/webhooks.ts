// Plays Antom toward a merchant's notification endpoint: sends signed notifyPayment,
// notifyCapture and notifyDispute messages and checks the endpoint's answers.
import type { Signer } from "./flows.js";
import type { Check } from "./report.js";
import { requestUri } from "../src/core/signing.js";
import { contract } from "../src/core/contract.js";
import { validate } from "../src/core/validate.js";

export interface CheckWebhookReceiverOptions {
  /** The merchant's notification URL, e.g. `http://127.0.0.1:8080/antom/notify`. */
  target: string;
  /** Signs as Antom does, with Antom's private key (a test key the receiver trusts). */
  signer: Signer;
  fetch?: typeof fetch;
  timeoutMs?: number;
  onCheck?: (check: Check) => void;
}

interface Notification {
  operationId: string;
  name: string;
  body: unknown;
}

/** The notification variants sent: every named example of the three notifications. */
export function notificationVariants(): Notification[] {
  const spec = contract();
  const out: Notification[] = [];
  for (const [operationId, item] of Object.entries(spec.webhooks as Record<string, any>)) {
    const examples = item.post.requestBody.content["application/json"].examples ?? {};
    for (const [name, example] of Object.entries(examples as Record<string, { value: unknown }>)) {
      out.push({ operationId, name, body: example.value });
    }
  }
  return out;
}

interface Answer {
  status?: number;
  text?: string;
  error?: string;
}

async function deliver(options: CheckWebhookReceiverOptions, body: string, headers: Record<string, string>): Promise<Answer> {
  try {
    const response = await (options.fetch ?? fetch)(options.target, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=UTF-8", ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Why an answer is not the acknowledgement Antom expects; an empty list when it is. */
export function ackProblems(answer: Answer): string[] {
  if (answer.error) return [`no answer: ${answer.error}`];
  const problems: string[] = [];
  if (answer.status !== 200) problems.push(`HTTP status ${answer.status}, expected 200`);
  let body: unknown;
  try {
    body = JSON.parse(answer.text ?? "");
  } catch {
    return [...problems, `body is not JSON: ${JSON.stringify((answer.text ?? "").slice(0, 120))}`];
  }
  const result = validate("notifyPayment.response", body, { mode: "strict" });
  problems.push(...result.errors.map((e) => `acknowledgement ${e.path}: ${e.message}`));
  // The contract lets a merchant answer F/FAIL or U/UNKNOWN_EXCEPTION (to be sent it again);
  // only S/SUCCESS acknowledges.
  const ack = (body as { result?: { resultStatus?: unknown; resultCode?: unknown } } | null)?.result;
  if (result.valid && (ack?.resultStatus !== "S" || ack?.resultCode !== "SUCCESS")) {
    problems.push(`acknowledgement result is ${JSON.stringify(ack?.resultStatus)}/${JSON.stringify(ack?.resultCode)}: only S/SUCCESS stops redelivery`);
  }
  return problems;
}

const isAck = (answer: Answer) => ackProblems(answer).length === 0;

function tamperSignature(signature: string): string {
  // Flip one base64 character of the signature value so it no longer verifies.
  return signature.replace(/signature=([A-Za-z0-9%])/, (_, c: string) => `signature=${c === "A" ? "B" : "A"}`);
}

/**
 * Checks a notification receiver. It must acknowledge every genuine notification with HTTP 200
 * and the SUCCESS body, acknowledge a redelivery again, and refuse a notification whose
 * signature or body was tampered with.
 */
export async function checkWebhookReceiver(options: CheckWebhookReceiverOptions): Promise<Check[]> {
  const path = requestUri(options.target);
  const checks: Check[] = [];
  const record = async (suite: string, name: string, run: () => Promise<string[]>) => {
    const started = performance.now();
    const details = await run();
    const check = { suite, name, passed: details.length === 0, details, durationMs: performance.now() - started };
    checks.push(check);
    options.onCheck?.(check);
  };
  const signed = async (body: string) => options.signer({ method: "POST", path, body });

  for (const n of notificationVariants()) {
    const body = JSON.stringify(n.body);
    await record(n.operationId, `${n.name}: acknowledged with HTTP 200 and the SUCCESS body`, async () =>
      ackProblems(await deliver(options, body, await signed(body))),
    );
  }

  const sample = notificationVariants().find((n) => n.operationId === "notifyPayment")!;
  const body = JSON.stringify(sample.body);
  await record("notifyPayment", `${sample.name}: redelivered, acknowledged again`, async () => {
    // Antom redelivers up to 8 times in 24 hours; each delivery is signed afresh.
    const problems: string[] = [];
    for (const attempt of [1, 2]) {
      problems.push(...ackProblems(await deliver(options, body, await signed(body))).map((p) => `delivery ${attempt}: ${p}`));
    }
    return problems;
  });
  await record("notifyPayment", `${sample.name}: tampered signature, not acknowledged`, async () => {
    const headers = await signed(body);
    const answer = await deliver(options, body, { ...headers, Signature: tamperSignature(headers.Signature) });
    return isAck(answer) ? ["the receiver acknowledged a notification whose signature does not verify"] : [];
  });
  await record("notifyPayment", `${sample.name}: body changed after signing, not acknowledged`, async () => {
    const headers = await signed(body);
    const changed = JSON.stringify({ ...(sample.body as object), paymentAmount: { currency: "USD", value: "999999" } });
    const answer = await deliver(options, changed, headers);
    return isAck(answer) ? ["the receiver acknowledged a notification whose body differs from what was signed"] : [];
  });
  await record("notifyPayment", `${sample.name}: no signature, not acknowledged`, async () => {
    const { Signature: _, ...headers } = await signed(body);
    const answer = await deliver(options, body, headers);
    return isAck(answer) ? ["the receiver acknowledged a notification without a Signature header"] : [];
  });
  return checks;
}
