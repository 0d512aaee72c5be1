// Plays Antom toward a merchant's notification endpoint: sends signed notifyPayment,
// notifyCapture and notifyDispute messages and checks the endpoint's answers.
import type { Signer } from "./flows.js";
import type { Check } from "./report.js";
import { requestUri } from "../src/core/signing.js";
import { contract } from "../src/core/contract.js";
import { acknowledgementProblems } from "../src/core/notifications.js";

export interface CheckWebhookReceiverOptions {
  /** The merchant's notification URL, e.g. `http://127.0.0.1:8080/antom/notify`. */
  target: string;
  /** Signs as Antom does, with Antom's private key (a test key the receiver trusts). */
  signer: Signer;
  fetch?: typeof fetch;
  /** How long to wait for each answer, in milliseconds (default 10000; `--timeout-ms` in the CLI). */
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

/** Default of `timeoutMs`. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

interface Answer {
  status?: number;
  contentType?: string | null;
  text?: string;
  error?: string;
}

async function deliver(options: CheckWebhookReceiverOptions, body: string, headers: Record<string, string>): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  try {
    const response = await (options.fetch ?? fetch)(options.target, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=UTF-8", ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
  } catch (error) {
    return { error: deliveryFailure(error, timeoutMs) };
  }
}

/** Why a delivery got no answer, in words (fetch says only "fetch failed"; the reason is in its cause). */
function deliveryFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${timeoutMs} ms (the timeout; --timeout-ms to change it)`;
  const code = e?.cause?.code;
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET") return "the receiver closed the connection without answering";
  if (code === "ECONNREFUSED") return "connection refused: nothing listens at the target";
  if (code === "ENOTFOUND") return "the target's host was not found";
  return e?.cause?.message ? `${e.message}: ${e.cause.message}` : String(e?.message ?? error);
}

/** Why an answer is not the acknowledgement Antom expects; an empty list when it is. */
export function ackProblems(answer: Answer): string[] {
  if (answer.error) return [`no answer: ${answer.error}`];
  return acknowledgementProblems(answer);
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
  await record("notifyPayment", `${sample.name}: malformed Signature header, not acknowledged`, async () => {
    const problems: string[] = [];
    const headers = await signed(body);
    for (const malformed of ["garbage", "algorithm=RSA256,keyVersion=1", "algorithm=RSA256,keyVersion=1,signature=%E0%A4%A", "algorithm=HS256,keyVersion=1,signature=AAAA"]) {
      const answer = await deliver(options, body, { ...headers, Signature: malformed });
      if (isAck(answer)) problems.push(`the receiver acknowledged a notification whose Signature header is malformed (${JSON.stringify(malformed)})`);
    }
    return problems;
  });
  await record("notifyPayment", `${sample.name}: no signature, not acknowledged`, async () => {
    const { Signature: _, ...headers } = await signed(body);
    const answer = await deliver(options, body, headers);
    return isAck(answer) ? ["the receiver acknowledged a notification without a Signature header"] : [];
  });
  return checks;
}
