// `npm start` brings up the mock, the reference and the sandbox together and prints every URL.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { expect, test } from "vitest";
import { root } from "../helpers/paths.js";

/** A port whose next two ports are free too (the reference and the sandbox take them). */
async function freeTriple(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await free(base)) && (await free(base + 1)) && (await free(base + 2))) return base;
  }
  throw new Error("no three free ports in a row");
}

test("npm start serves the mock, the reference and the sandbox, and prints each URL", async () => {
  const port = await freeTriple();
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/start.ts"), "--port", String(port)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not all up in time:\n${output}`)), 100_000);
      const check = () => {
        if (output.includes("Antom sandbox at") && output.includes("Ctrl-C stops it.\n", output.indexOf("Antom sandbox at"))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", check);
      child.once("exit", () => reject(new Error(`npm start exited:\n${output}`)));
    });
    const mock = `http://127.0.0.1:${port}`;
    const reference = `http://127.0.0.1:${port + 1}/site/`;
    const sandbox = `http://127.0.0.1:${port + 2}`;
    for (const url of [mock, reference, sandbox]) expect(output).toContain(url);
    expect((await fetch(reference)).status).toBe(200);
    expect(await (await fetch(`${sandbox}/sandbox/antom-public-key.pem`)).text()).toContain("BEGIN PUBLIC KEY");
    const prism = await fetch(`${mock}/v1/payments/inquiryPayment`, { method: "POST", headers: { "Content-Type": "application/json", "Client-Id": "SANDBOX_T", "Request-Time": "1", Signature: "algorithm=RSA256,keyVersion=1,signature=x" }, body: '{"paymentId":"1"}' });
    expect(prism.status).toBe(200);
  } finally {
    child.kill("SIGINT");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}, 120_000);
