// scripts/loopback-only.cjs refuses non-local hosts cheaply (before any TLS set-up), and the
// launcher shows each refused host once instead of two lines per pay.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { onceRefusals, REFUSAL_MARK } from "../../scripts/mock.js";
import { root } from "../helpers/paths.js";

const PROBE = `
const tls = require("node:tls");
let contexts = 0;
const create = tls.createSecureContext;
tls.createSecureContext = (...a) => (contexts++, create(...a));
const https = require("node:https");
const req = https.request("https://www.example.com/antom/notify", { method: "POST" });
req.on("error", (e) => { console.log(JSON.stringify({ code: e.code, message: e.message, contexts })); });
req.end("{}");
`;

describe("loopbackOnly", () => {
  test("an https callback to another host is refused before any TLS context is built", () => {
    const out = execFileSync(process.execPath, ["--require", join(root, "scripts", "loopback-only.cjs"), "-e", PROBE], { encoding: "utf8", timeout: 10_000 });
    const result = JSON.parse(out.trim());
    expect(result).toMatchObject({ code: "ECONNREFUSED", contexts: 0 });
    expect(result.message).toContain(REFUSAL_MARK);
  });

  test("the launcher shows a refused host once, and every other line redacted", () => {
    let shown = "";
    const forward = onceRefusals({ write: (t: string) => (shown += t) });
    const refused = (kind: string) => `[CALLBACK] error ${kind}: request to https://www.example.com/n failed, reason: connection to www.example.com refused: ${REFUSAL_MARK}\n`;
    forward(Buffer.from(refused("notifyPayment") + refused("notifyCapture") + "other line 4054695723100768\n"));
    forward(Buffer.from(refused("notifyPayment").slice(0, 30)));
    forward(Buffer.from(refused("notifyPayment").slice(30)));
    expect(shown.split("\n").filter(Boolean)).toEqual([expect.stringMatching(/^Notifications to www\.example\.com are not sent.*Shown once\.$/), "other line 405469******0768"]);
  });
});
