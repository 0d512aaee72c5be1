// The antom-sandbox command: flags, the printed identity, and a process that starts and stops.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createAntomClient } from "../../src/index.js";
import { DEFAULT_CLIENT_ID, parseArgs, startFromOptions, type SandboxCliOptions } from "../../src/sandbox/cli.js";
import { root } from "../helpers/paths.js";
import { payBody, testKeys } from "./harness.js";


describe("flags", () => {
  test("defaults: port 4012 on 127.0.0.1, the local merchant, keys in .antom-sandbox", () => {
    expect(parseArgs([])).toMatchObject({ port: 4012, host: "127.0.0.1", clientId: DEFAULT_CLIENT_ID, allowRemoteNotifications: false, unsignedErrors: false });
  });

  test.each([
    [["--port", "x"], /--port must be a TCP port/],
    [["--port", "70000"], /--port must be a TCP port/],
    [["--merchant-public-key", "k.pem"], /needs --client-id/],
    [["--client-id", "has space"], /--client-id must be/],
    [["--bogus"], /Unknown option/],
    [["--store", "postgres://x"], /--store must be memory or a redis:\/\/ URL/],
    [["--store-ttl", "30 days"], /--store-ttl must be an ISO 8601 duration/],
    [["--store-ttl", "PT12H"], /--store-ttl must be an ISO 8601 duration of at least a day/],
    [["--delivery-timeout", "5s"], /--delivery-timeout must be milliseconds/],
  ])("%j is refused with a reason", (argv, reason) => {
    expect(() => parseArgs(argv as string[])).toThrow(reason);
  });
});

test("--store, --store-ttl and --delivery-timeout are read; memory is the default store", () => {
  expect(parseArgs([])).toMatchObject({ store: "memory", storeTtlMs: 30 * 24 * 3_600_000, deliveryTimeoutMs: 5000 });
  expect(parseArgs(["--store", "redis://127.0.0.1:6379/2", "--store-ttl", "P2D", "--delivery-timeout", "800"])).toMatchObject({ store: "redis://127.0.0.1:6379/2", storeTtlMs: 2 * 24 * 3_600_000, deliveryTimeoutMs: 800 });
});

test("with a Redis it cannot reach, the bin says so in one line, without the password, and exits 1", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/sandbox/bin.ts"), "--port", "0", "--keys-dir", mkdtempSync(join(tmpdir(), "antom-sandbox-cli-")), "--store", "redis://u:hunter2@127.0.0.1:1/0"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  expect(code).toBe(1);
  expect(output).toMatch(/^antom-sandbox: cannot reach Redis at redis:\/\/u:\*\*\*@127\.0\.0\.1:1\/0/m);
  expect(output).not.toContain("hunter2");
  expect(output).not.toMatch(/\n\s+at /);
});

test("the bin starts on a free port with a given merchant key, prints the identity, serves, and stops on SIGTERM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "antom-sandbox-cli-"));
  const merchant = testKeys();
  const publicFile = join(dir, "mine.pem");
  writeFileSync(publicFile, merchant.publicKey.export({ type: "spki", format: "pem" }));
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/sandbox/bin.ts"), "--port", "0", "--keys-dir", dir, "--client-id", "SANDBOX_MINE", "--merchant-public-key", publicFile], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), 20_000);
      child.stdout.on("data", () => {
        const found = /Antom sandbox at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (found && output.includes("Ctrl-C")) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
    });
    expect(output).toContain("SANDBOX_MINE");
    expect(output).toContain("(yours: registered from --merchant-public-key)");
    const client = createAntomClient({ baseUrl: url, clientId: "SANDBOX_MINE", privateKey: merchant.privateKey, antomPublicKey: readFileSync(join(dir, "antom-public-key.pem")) });
    const result = await client.pay(payBody());
    expect([result.resultStatus, result.verification]).toEqual(["S", "verified"]);
  } finally {
    child.kill("SIGTERM");
  }
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  expect(code).toBe(0);
}, 40_000);

test("--antom-private-key makes the sandbox sign with that key, and its public half is written beside the other keys", async () => {
  const dir = mkdtempSync(join(tmpdir(), "antom-sandbox-key-"));
  const antom = testKeys();
  const keyFile = join(dir, "given-antom.pem");
  writeFileSync(keyFile, antom.privateKey.export({ type: "pkcs8", format: "pem" }));
  const { sandbox } = await startFromOptions({ ...(parseArgs(["--port", "0", "--keys-dir", dir, "--antom-private-key", keyFile]) as SandboxCliOptions) }, () => undefined);
  try {
    const expected = antom.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(await (await fetch(`${sandbox.url}/sandbox/antom-public-key.pem`)).text()).toBe(expected);
    expect(readFileSync(join(dir, "antom-public-key.pem"), "utf8")).toBe(expected);
    const client = createAntomClient({ baseUrl: sandbox.url, clientId: DEFAULT_CLIENT_ID, privateKey: readFileSync(join(dir, "merchant-private-key.pem")), antomPublicKey: antom.publicKey });
    expect((await client.inquiryPayment({ paymentRequestId: "X" })).verification).toBe("verified");
  } finally {
    await sandbox.close();
  }
});
