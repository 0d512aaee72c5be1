// `npm start`: refreshes the bundle when openapi/ changed, then serves the contract with the
// Prism mock and prints what it serves and how to pick an outcome; then serves the API
// reference (docs/site/, rebuilt when stale) and the guides on the next port, and the stateful
// sandbox on the port after (4010, 4011, 4012 by default).
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { buildBundle, bundlePaths } from "./bundle.js";
import { runFromCommandLine, scenarios } from "./mock.js";
import { startReferenceServer } from "./docs-server.js";
import { DEFAULT_CLIENT_ID, startFromOptions } from "../src/sandbox/cli.js";

async function refreshBundle(): Promise<void> {
  const { yaml, json } = await buildBundle();
  const current = await readFile(bundlePaths.yaml, "utf8").catch(() => "");
  if (current === yaml) return;
  await writeFile(bundlePaths.yaml, yaml);
  await writeFile(bundlePaths.json, json);
  console.log("openapi/ changed: rebuilt generated/openapi.yaml and generated/openapi.json");
}

await refreshBundle();
let mockPort: number | undefined;
await runFromCommandLine(process.argv.slice(2), (mock) => {
  mockPort = Number(new URL(mock.baseUrl).port);
  const lines = [
    "",
    `Antom card-payments mock (Prism) at ${mock.baseUrl}`,
    "",
    "Operations (POST, JSON body, headers Client-Id, Request-Time and Signature required; signatures are not verified):",
  ];
  for (const s of scenarios()) {
    lines.push(`  ${mock.baseUrl}${s.path}`);
    lines.push(`      outcomes: ${s.responses.join(", ")}`);
  }
  lines.push(
    "",
    "Pick an outcome with the header `Prefer: example=<outcome>` (or the query `?__example=<outcome>`);",
    "without one, each operation answers its first outcome (success). For example:",
    "",
    `  curl -s ${mock.baseUrl}/v1/payments/cancel -H 'Content-Type: application/json' \\`,
    "    -H 'Client-Id: SANDBOX_TEST' -H 'Request-Time: 1700000000000' \\",
    "    -H 'Signature: algorithm=RSA256,keyVersion=1,signature=unchecked' \\",
    "    -H 'Prefer: example=orderStatusInvalid' -d '{\"paymentId\":\"20240501194010800100188570271832381\"}'",
    "",
    "With paymentNotifyUrl in a pay request, the mock POSTs notifyPayment and notifyCapture to that URL",
    "(unsigned, on 127.0.0.1 only unless started with --allow-remote-notifications).",
    "Ctrl-C stops it.",
  );
  return lines.join("\n");
})
  .then(async () => {
    // The reference beside the mock, on the next port (4011 by default); the process exit on
    // Ctrl-C closes it with the mock.
    if (mockPort === undefined) return;
    console.log(`\n${(await startReferenceServer(mockPort + 1)).message}`);
    // The sandbox: signed, stateful, on the port after the reference.
    const { sandbox, banner } = await startFromOptions({
      port: mockPort + 2,
      host: "127.0.0.1",
      clientId: DEFAULT_CLIENT_ID,
      keysDir: resolve(".antom-sandbox"),
      allowRemoteNotifications: process.argv.includes("--allow-remote-notifications"),
      unsignedErrors: false,
    });
    console.log(banner);
    const stop = () => void sandbox.close();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  })
  .catch((error) => {
    console.error(String(error?.message ?? error));
    process.exit(1);
  });
