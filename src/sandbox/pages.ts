// The pages behind `normalUrl`: a 3-D Secure challenge a person can pass or fail, and a hosted
// payment page that takes a test card. Plain HTML forms, no script, nothing fetched.
import { isoTime } from "./clock.js";
import type { PaymentRecord } from "./model.js";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Antom sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2933}
h1{font-size:1.4rem}.amount{font-size:1.8rem;font-weight:600;margin:.5rem 0 1.5rem}
label{display:block;margin:.8rem 0 .2rem}input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.6rem 1.2rem;margin:1rem .5rem 0 0;border-radius:6px;border:1px solid #1677ff;background:#1677ff;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1677ff}.note{color:#52606d;font-size:.9rem}
</style></head><body>
<p class="note">Antom sandbox (local, for tests only)</p>
${content}
</body></html>`;
}

const amount = (payment: PaymentRecord) => `${escape(payment.amount.value)} ${escape(payment.amount.currency)} (minor units)`;

export function challengePage(payment: PaymentRecord, action: string): string {
  return page(
    "3-D Secure challenge",
    `<h1>3-D Secure challenge</h1>
<p>Payment <code>${escape(payment.paymentId)}</code> with card ${escape(payment.card?.masked ?? "")}</p>
<p class="amount">${amount(payment)}</p>
<form method="post" action="${escape(action)}">
<button name="outcome" value="pass" type="submit">Pass the challenge</button>
<button class="secondary" name="outcome" value="fail" type="submit">Fail the challenge</button>
</form>`,
  );
}

export function hostedPage(payment: PaymentRecord, action: string): string {
  return page(
    "Pay by card",
    `<h1>Pay by card</h1>
<p class="amount">${amount(payment)}</p>
<form method="post" action="${escape(action)}">
<label for="cardNo">Card number (a test card)</label><input id="cardNo" name="cardNo" inputmode="numeric" autocomplete="off" value="4054695723100768">
<label for="expiryMonth">Expiry month</label><input id="expiryMonth" name="expiryMonth" value="12">
<label for="expiryYear">Expiry year</label><input id="expiryYear" name="expiryYear" value="30">
<label for="cvv">CVV</label><input id="cvv" name="cvv" autocomplete="off" value="123">
<button type="submit">Pay</button>
</form>
<p class="note">Test cards: docs/sandbox.md. 4000000000003220 asks for a 3-D Secure challenge; 4054692760174822 is declined.</p>`,
  );
}

export function resultPage(payment: PaymentRecord): string {
  return page(
    "Payment",
    `<h1>Payment ${escape(payment.status)}</h1>
<p>Payment <code>${escape(payment.paymentId)}</code>: ${escape(payment.resultCode)} (${escape(payment.resultMessage)})</p>
<p class="amount">${amount(payment)}</p>
<p class="note">Last change: ${escape(isoTime(payment.history.at(-1)?.time ?? payment.createTime))}. The merchant learns the outcome from notifyPayment or inquiryPayment.</p>`,
  );
}
