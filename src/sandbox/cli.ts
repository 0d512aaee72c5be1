// `npm run sandbox` and the `antom-sandbox` bin: parse the flags, make or read the keys, start
// the sandbox, and print its URL and a ready merchant identity.
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs as parseNodeArgs } from "node:util";
import { toPrivateKey } from "../core/keys.js";
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
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const port = values.port ?? String(DEFAULT_PORT);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`--port must be a TCP port number (0-65535); got ${JSON.stringify(port)}`);
  if (values["merchant-public-key"] && !values["client-id"]) throw new Error("--merchant-public-key needs --client-id: the client ID that key belongs to");
  if (values["client-id"] !== undefined && !/^\S{1,64}$/.test(values["client-id"])) throw new Error("--client-id must be 1 to 64 characters without spaces");
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
  };
}

/** A key pair kept in `dir` as `<name>-private-key.pem` and `<name>-public-key.pem`, made on first use. */
function keyPair(dir: string, name: string): { privateKey: KeyObject; privateFile: string; publicFile: string } {
  const privateFile = resolve(dir, `${name}-private-key.pem`);
  const publicFile = resolve(dir, `${name}-public-key.pem`);
  if (!existsSync(privateFile)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(privateFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(publicFile, publicKey.export({ type: "spki", format: "pem" }));
  }
  const privateKey = toPrivateKey(readFileSync(privateFile), privateFile);
  if (!existsSync(publicFile)) writeFileSync(publicFile, createPublicKey(privateKey).export({ type: "spki", format: "pem" }));
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
  const sandbox = await startSandbox({
    antomPrivateKey: antom.privateKey,
    host: options.host,
    port: options.port,
    allowRemoteNotifications: options.allowRemoteNotifications,
    unsignedErrors: options.unsignedErrors,
    log,
  });
  await sandbox.engine.registerMerchant({ clientId: options.clientId, publicKey: merchant.publicPem, notifyUrl: options.notifyUrl });
  const prefix = options.clientId.startsWith("SANDBOX_") ? "/ams/sandbox/api" : "/ams/api";
  const banner = [
    "",
    `Antom sandbox at ${sandbox.url}`,
    `  operations    ${sandbox.url}${prefix}/v1/payments/{consult,pay,cancel,capture,inquiryPayment}`,
    `                (also under /ams/api and at the bare /v1/payments/<op>)`,
    `  control API   ${sandbox.url}/sandbox/ (openapi/sandbox.yaml; docs/sandbox.md)`,
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
  const { sandbox, banner } = await startFromOptions(options);
  console.log(banner);
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
