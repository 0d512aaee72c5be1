// `npm run sandbox` and the `antom-sandbox` bin: parse the flags, make or read the keys, start
// the sandbox, and print its URL and a ready merchant identity.
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs as parseNodeArgs } from "node:util";
import { toPrivateKey } from "../core/keys.js";
import { parseDuration } from "./clock.js";
import { startSandbox, type RunningSandbox } from "./server.js";

export const DEFAULT_PORT = 4012;
export const DEFAULT_CLIENT_ID = "SANDBOX_LOCAL_MERCHANT";

export const USAGE = `antom-sandbox: a local, stateful Antom card-payment sandbox

Usage: antom-sandbox [options]

  --port N                     port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST                  address to listen on (default 127.0.0.1)
  --antom-private-key FILE     the sandbox's signing key (default: made once in --keys-dir)
  --client-id ID               the merchant to register at start (default ${DEFAULT_CLIENT_ID})
  --merchant-public-key FILE   that merchant's public key (default: a key pair made in --keys-dir)
  --notify-url URL             that merchant's notification URL, for payments without paymentNotifyUrl
  --keys-dir DIR               where made keys are kept (default .antom-sandbox)
  --allow-remote-notifications send notifications to hosts other than loopback
  --unsigned-errors            answer gateway errors (unknown client, bad signature, invalid input) unsigned, as Antom does
  --store URL                  where state is kept: memory (default, this process only) or
                               redis://host:port[/db], shared by every instance started on it
  --store-ttl DURATION         how long Redis keeps a record nobody reads or writes (ISO 8601, at least P1D; default P30D)
  --delivery-timeout MS        how long one notification attempt may take (default 5000)
  --help                       this text
`;

export interface SandboxCliOptions {
  port: number;
  host: string;
  antomPrivateKeyFile?: string;
  clientId: string;
  merchantPublicKeyFile?: string;
  notifyUrl?: string;
  keysDir: string;
  allowRemoteNotifications: boolean;
  unsignedErrors: boolean;
  /** `memory` (the default), or a redis:// URL. */
  store?: string;
  storeTtlMs?: number;
  deliveryTimeoutMs?: number;
}

export function parseArgs(argv: string[]): SandboxCliOptions | "help" {
  const { values } = parseNodeArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "antom-private-key": { type: "string" },
      "client-id": { type: "string" },
      "merchant-public-key": { type: "string" },
      "notify-url": { type: "string" },
      "keys-dir": { type: "string" },
      "allow-remote-notifications": { type: "boolean" },
      "unsigned-errors": { type: "boolean" },
      store: { type: "string" },
      "store-ttl": { type: "string" },
      "delivery-timeout": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const port = values.port ?? String(DEFAULT_PORT);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`--port must be a TCP port number (0-65535); got ${JSON.stringify(port)}`);
  if (values["merchant-public-key"] && !values["client-id"]) throw new Error("--merchant-public-key needs --client-id: the client ID that key belongs to");
  if (values["client-id"] !== undefined && !/^\S{1,64}$/.test(values["client-id"])) throw new Error("--client-id must be 1 to 64 characters without spaces");
  const store = values.store ?? "memory";
  if (store !== "memory" && !/^rediss?:\/\//.test(store)) throw new Error(`--store must be memory or a redis:// URL; got ${JSON.stringify(store.slice(0, 80))}`);
  const storeTtlMs = parseDuration(values["store-ttl"] ?? "P30D");
  // At least a day: a redelivery schedule spans about 24 hours, with gaps of up to 15 hours between writes.
  if (storeTtlMs === undefined || storeTtlMs < 86_400_000) throw new Error(`--store-ttl must be an ISO 8601 duration of at least a day (P30D, P2D); got ${JSON.stringify(values["store-ttl"])}`);
  const timeout = values["delivery-timeout"] ?? "5000";
  if (!/^\d{1,6}$/.test(timeout) || Number(timeout) < 100) throw new Error(`--delivery-timeout must be milliseconds from 100 to 999999; got ${JSON.stringify(timeout)}`);
  return {
    port: Number(port),
    host: values.host ?? "127.0.0.1",
    antomPrivateKeyFile: values["antom-private-key"],
    clientId: values["client-id"] ?? DEFAULT_CLIENT_ID,
    merchantPublicKeyFile: values["merchant-public-key"],
    notifyUrl: values["notify-url"],
    keysDir: resolve(values["keys-dir"] ?? ".antom-sandbox"),
    allowRemoteNotifications: values["allow-remote-notifications"] ?? false,
    unsignedErrors: values["unsigned-errors"] ?? false,
    store,
    storeTtlMs,
    deliveryTimeoutMs: Number(timeout),
  };
}

/** A key pair kept in `dir` as `<name>-private-key.pem` and `<name>-public-key.pem`, made on first use. */
function keyPair(dir: string, name: string): { privateKey: KeyObject; privateFile: string; publicFile: string } {
  const privateFile = resolve(dir, `${name}-private-key.pem`);
  const publicFile = resolve(dir, `${name}-public-key.pem`);
  if (!existsSync(privateFile)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    // Written aside, then linked into place: when two instances start at once on one keys
    // directory, the first key linked is the one both use, and neither reads a half-written file.
    const aside = `${privateFile}.${process.pid}.tmp`;
    writeFileSync(aside, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    try {
      linkSync(aside, privateFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      unlinkSync(aside);
    }
  }
  const privateKey = toPrivateKey(readFileSync(privateFile), privateFile);
  // Written from the private key every time, so it always matches it; aside, then renamed, so an
  // instance starting at the same moment never reads it half-written.
  const publicAside = `${publicFile}.${process.pid}.tmp`;
  writeFileSync(publicAside, createPublicKey(privateKey).export({ type: "spki", format: "pem" }));
  renameSync(publicAside, publicFile);
  return { privateKey, privateFile, publicFile };
}

export interface StartedSandbox {
  sandbox: RunningSandbox;
  /** What to print: the URL and the ready merchant identity. */
  banner: string;
}

export async function startFromOptions(options: SandboxCliOptions, log: (line: string) => void = console.error): Promise<StartedSandbox> {
  const antom = options.antomPrivateKeyFile
    ? { privateKey: toPrivateKey(readFileSync(options.antomPrivateKeyFile), "--antom-private-key"), privateFile: resolve(options.antomPrivateKeyFile), publicFile: resolve(options.keysDir, "antom-public-key.pem") }
    : keyPair(options.keysDir, "antom");
  if (options.antomPrivateKeyFile) {
    // The public half is written beside the other keys so the banner can name a file to use.
    mkdirSync(options.keysDir, { recursive: true });
    writeFileSync(antom.publicFile, createPublicKey(antom.privateKey).export({ type: "spki", format: "pem" }));
  }
  const merchant = options.merchantPublicKeyFile
    ? { publicPem: readFileSync(options.merchantPublicKeyFile, "utf8"), privateFile: undefined as string | undefined }
    : (() => {
        const pair = keyPair(options.keysDir, "merchant");
        return { publicPem: readFileSync(pair.publicFile, "utf8"), privateFile: pair.privateFile };
      })();
  // The Redis client is loaded only when it is asked for.
  const storeUrl = options.store ?? "memory";
  const redis = storeUrl === "memory" ? undefined : await import("./redis-store.js");
  const store = await redis?.RedisStore.connect({ url: storeUrl, ttlMs: options.storeTtlMs, log });
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({
      store,
      deliveryTimeoutMs: options.deliveryTimeoutMs,
      antomPrivateKey: antom.privateKey,
      host: options.host,
      port: options.port,
      allowRemoteNotifications: options.allowRemoteNotifications,
      unsignedErrors: options.unsignedErrors,
      log,
    });
  } catch (error) {
    // The Redis client would keep the process alive, reconnecting, after a failed start.
    await store?.close();
    throw error;
  }
  await sandbox.engine.registerMerchant({ clientId: options.clientId, publicKey: merchant.publicPem, notifyUrl: options.notifyUrl });
  const prefix = options.clientId.startsWith("SANDBOX_") ? "/ams/sandbox/api" : "/ams/api";
  const banner = [
    "",
    `Antom sandbox at ${sandbox.url}`,
    `  operations    ${sandbox.url}${prefix}/v1/payments/{consult,pay,cancel,capture,inquiryPayment}`,
    `                (also under /ams/api and at the bare /v1/payments/<op>)`,
    `  control API   ${sandbox.url}/sandbox/ (openapi/sandbox.yaml; docs/sandbox.md)`,
    `  state         ${redis ? `Redis at ${redis.describe(storeUrl)}, shared with every instance started on it` : "in this process (--store redis://... to share it between instances)"}`,
    "",
    "Merchant identity, ready to use:",
    `  client ID            ${options.clientId}`,
    `  merchant private key ${merchant.privateFile ?? "(yours: registered from --merchant-public-key)"}`,
    `  sandbox public key   ${antom.publicFile}  (also GET ${sandbox.url}/sandbox/antom-public-key.pem)`,
    "",
    "  createAntomClient({",
    `    baseUrl: "${sandbox.url}",`,
    `    clientId: "${options.clientId}",`,
    `    privateKey: readFileSync(${JSON.stringify(merchant.privateFile ?? "<your private key>")}),`,
    `    antomPublicKey: readFileSync(${JSON.stringify(antom.publicFile)}),`,
    "  });",
    "",
    `Notifications go to 127.0.0.1 only${options.allowRemoteNotifications ? " and any other host" : " (--allow-remote-notifications for other hosts)"}. Ctrl-C stops it.`,
  ].join("\n");
  return { sandbox, banner };
}

/** Runs the sandbox until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  let options: SandboxCliOptions | "help";
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error(`antom-sandbox: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  let started: StartedSandbox;
  try {
    started = await startFromOptions(options);
  } catch (error) {
    console.error(`antom-sandbox: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const { sandbox, banner } = started;
  console.log(banner);
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
