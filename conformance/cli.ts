// `antom-conformance`: checks an Antom integration against the contract from the command line.
// Exit code 0 only when every check passes.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runFlows, type FlowMode } from "./flows.js";
import { validateFiles } from "./payloads.js";
import { toPublicKey } from "../src/core/keys.js";
import { keySigner, readKeyFile, responseSignatureProblem } from "./signer.js";
import { checkWebhookReceiver } from "./webhooks.js";
import { progressLine, render, summary, type Check, type ReporterName } from "./report.js";
import { kinds, type Mode } from "../src/core/validate.js";
import { redactText } from "../src/core/redact.js";

/** Exit codes: every check passed; a check failed; the command line is wrong; the checks could not be run. */
export const EXIT = { passed: 0, failed: 1, usage: 2, couldNotRun: 3 } as const;

/** The package's version, from the package.json above this file (in the sources and in dist/ alike). */
export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "antom-openapi" && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return "unknown";
}

export const USAGE = `Usage: antom-conformance <command> [options]

Commands:
  validate <files or dirs...>   Validate JSON payloads and HAR files against the contract.
      --as <kind>               The kind of every payload (${"e.g. pay.request, notifyPayment.request"});
                                otherwise taken from the file name (pay.request.json) or the message.
      --mode strict|tolerant    Default: strict for what a merchant sends, tolerant for what Antom sends.
  run --base-url <url>          Run the scenario flows (conformance/flows/) against a server.
      --mode contract|behaviour Contract (default): ask for each step's outcome with
                                \`Prefer: example=...\` (the Prism mock); behaviour: the server must
                                reach the outcomes by itself (a stateful server, Antom's sandbox).
      --flow <id or file>       Run only this flow (repeatable).
      --client-id <id>          With --private-key: sign requests as this merchant.
      --private-key <file>      The merchant's RSA private key (PEM, or base64 PKCS#8 DER).
      --antom-public-key <file> Verify response signatures (PEM, or base64 X.509 DER).
      --key-version <n>         keyVersion in the Signature header (default 1).
  webhooks --target <url>       Play Antom toward a merchant notification endpoint.
      --antom-private-key <file> The private key of the test key pair the endpoint trusts as Antom's.
      --client-id <id>          Client-Id of the notifications (default SANDBOX_CONFORMANCE).
      --timeout-ms <n>          How long to wait for each answer (default 10000).
  kinds                         List the payload kinds.

Common options:
  --reporter text|junit|json    Output format (default text).
  --output <file>               Write the report to a file instead of standard output.
  --help                        This help.
  --version                     The version of antom-conformance.

Exit codes: 0 every check passed; 1 a check failed; 2 the command line is wrong;
3 the checks could not be run (an input that cannot be read, a target that cannot be reached).
`;

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The same outputs, through the one redaction step: nothing the CLI prints shows card data. */
function redacting(io: CliIO): CliIO {
  return { out: (t) => io.out(redactText(t)), err: (t) => io.err(redactText(t)) };
}

/**
 * Writes the report. Progress lines were already printed as checks finished (`streamed`), on
 * standard output for the text reporter and on standard error otherwise.
 */
function finish(checks: Check[], reporter: ReporterName, output: string | undefined, io: CliIO, streamed = false): number {
  const { passed, failed, errors } = summary(checks);
  if (output) {
    writeFileSync(output, render(checks, reporter));
    if (!streamed) for (const c of checks) io.out(`${progressLine(c)}\n`);
    io.out(`${passed} passed, ${failed} failed; report written to ${output}\n`);
  } else if (reporter === "text" && streamed) io.out(`\n${passed} passed, ${failed} failed (${checks.length} checks)\n`);
  else io.out(render(checks, reporter));
  if (errors > 0) {
    io.err(`${errors} check${errors === 1 ? "" : "s"} could not be run\n`);
    return EXIT.couldNotRun;
  }
  return checks.length > 0 && failed === 0 ? EXIT.passed : EXIT.failed;
}

function usage(io: CliIO, message: string): number {
  io.err(`${message}\n\n${USAGE}`);
  return 2;
}

/** Runs the CLI with the given arguments; returns the exit code (see `EXIT`). Never throws. */
export async function main(argv: string[], given: CliIO = stdio): Promise<number> {
  const io = redacting(given);
  try {
    return await command(argv, io);
  } catch (error) {
    io.err(`antom-conformance could not run: ${String((error as Error)?.message ?? error)}\n`);
    return EXIT.couldNotRun;
  }
}

async function command(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-v" || command === "version") {
    io.out(`${version()}\n`);
    return 0;
  }
  if (!command || command === "--help" || command === "help") {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        as: { type: "string" },
        mode: { type: "string" },
        reporter: { type: "string", default: "text" },
        output: { type: "string" },
        help: { type: "boolean" },
        "base-url": { type: "string" },
        flow: { type: "string", multiple: true },
        "client-id": { type: "string" },
        "private-key": { type: "string" },
        "antom-public-key": { type: "string" },
        "antom-private-key": { type: "string" },
        "key-version": { type: "string" },
        target: { type: "string" },
        "timeout-ms": { type: "string" },
        version: { type: "boolean" },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(`${version()}\n`);
    return 0;
  }
  if (values["timeout-ms"] !== undefined && !/^[1-9][0-9]*$/.test(values["timeout-ms"])) {
    io.err(`--timeout-ms must be a positive whole number of milliseconds, not ${values["timeout-ms"]}\n`);
    return 2;
  }
  const reporter = values.reporter as ReporterName;
  if (!["text", "junit", "json"].includes(reporter)) {
    io.err(`--reporter must be text, junit or json, not ${reporter}\n`);
    return 2;
  }
  if (values["key-version"] !== undefined && !/^[1-9][0-9]*$/.test(values["key-version"])) {
    io.err(`--key-version must be a positive whole number (the key's version in the Antom Dashboard), not ${values["key-version"]}\n`);
    return 2;
  }
  const modes = command === "run" ? ["contract", "behaviour"] : ["strict", "tolerant"];
  if (values.mode !== undefined && !modes.includes(values.mode)) {
    io.err(`--mode must be ${modes.join(" or ")}, not ${values.mode}\n`);
    return 2;
  }
  const progress = (c: Check) => (reporter === "text" || values.output ? io.out : io.err)(`${progressLine(c)}\n`);
  switch (command) {
    case "kinds":
      for (const k of kinds()) io.out(`${k.id}\n`);
      return 0;
    case "validate": {
      if (positionals.length === 0) {
        io.err(`validate needs at least one file or directory\n\n${USAGE}`);
        return 2;
      }
      if (values.as && !kinds().some((k) => k.id === values.as)) {
        io.err(`unknown kind ${values.as}; known kinds: ${kinds().map((k) => k.id).join(", ")}\n`);
        return 2;
      }
      const checks = validateFiles(positionals, { as: values.as, mode: values.mode as Mode | undefined });
      return finish(checks, reporter, values.output, io);
    }
    case "run": {
      if (!values["base-url"]) return usage(io, "run needs --base-url");
      if (!!values["private-key"] !== !!values["client-id"]) return usage(io, "--private-key and --client-id go together");
      let signer;
      let verifyResponse;
      try {
        if (values["private-key"]) {
          signer = keySigner({ clientId: values["client-id"]!, privateKey: readKeyFile(values["private-key"]), keyVersion: values["key-version"] });
        }
        if (values["antom-public-key"]) {
          const key = toPublicKey(readKeyFile(values["antom-public-key"]));
          const clientId = values["client-id"] ?? "SANDBOX_CONFORMANCE";
          verifyResponse = (response: { headers: Headers; body: string }, request: { path: string }) =>
            responseSignatureProblem(response, { path: request.path, clientId }, key);
        }
      } catch (error) {
        return usage(io, (error as Error).message);
      }
      const checks = await runFlows({
        baseUrl: values["base-url"],
        mode: (values.mode as FlowMode | undefined) ?? "contract",
        flows: values.flow,
        signer,
        verifyResponse,
        onCheck: progress,
        // The sandbox's flows address its control API by the merchant's client ID.
        inputs: values["client-id"] ? { clientId: values["client-id"] } : {},
      }).catch((error: Error) => error);
      if (checks instanceof Error) {
        io.err(`could not run the flows: ${checks.message}\n`);
        return EXIT.couldNotRun;
      }
      return finish(checks, reporter, values.output, io, true);
    }
    case "webhooks": {
      if (!values.target) return usage(io, "webhooks needs --target");
      if (!values["antom-private-key"]) return usage(io, "webhooks needs --antom-private-key (the test key pair's private half)");
      let signer;
      try {
        signer = keySigner({
          clientId: values["client-id"] ?? "SANDBOX_CONFORMANCE",
          privateKey: readKeyFile(values["antom-private-key"]),
          keyVersion: values["key-version"],
        });
        new URL(values.target);
      } catch (error) {
        return usage(io, (error as Error).message);
      }
      const timeoutMs = values["timeout-ms"] === undefined ? undefined : Number(values["timeout-ms"]);
      const checks = await checkWebhookReceiver({ target: values.target, signer, onCheck: progress, timeoutMs });
      return finish(checks, reporter, values.output, io, true);
    }
    default:
      io.err(`unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}
