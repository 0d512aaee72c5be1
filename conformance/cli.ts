// `antom-conformance`: checks an Antom integration against the contract from the command line.
// Exit code 0 only when every check passes.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { validateFiles } from "./payloads.js";
import { progressLine, render, summary, type Check, type ReporterName } from "./report.js";
import { kinds, type Mode } from "./validate.js";

export const USAGE = `Usage: antom-conformance <command> [options]

Commands:
  validate <files or dirs...>   Validate JSON payloads and HAR files against the contract.
      --as <kind>               The kind of every payload (${"e.g. pay.request, notifyPayment.request"});
                                otherwise taken from the file name (pay.request.json) or the message.
      --mode strict|tolerant    Default: strict for what a merchant sends, tolerant for what Antom sends.
  kinds                         List the payload kinds.

Common options:
  --reporter text|junit|json    Output format (default text).
  --output <file>               Write the report to a file instead of standard output.
  --help                        This help.
`;

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function finish(checks: Check[], reporter: ReporterName, output: string | undefined, io: CliIO): number {
  const text = render(checks, reporter);
  if (output) {
    writeFileSync(output, text);
    if (reporter !== "text") for (const c of checks) io.out(`${progressLine(c)}\n`);
    const { passed, failed } = summary(checks);
    io.out(`${passed} passed, ${failed} failed; report written to ${output}\n`);
  } else io.out(text);
  return checks.length > 0 && checks.every((c) => c.passed) ? 0 : 1;
}

/** Runs the CLI with the given arguments; returns the exit code. */
export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  const [command, ...rest] = argv;
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
  const reporter = values.reporter as ReporterName;
  if (!["text", "junit", "json"].includes(reporter)) {
    io.err(`--reporter must be text, junit or json, not ${reporter}\n`);
    return 2;
  }
  if (values.mode !== undefined && values.mode !== "strict" && values.mode !== "tolerant") {
    io.err(`--mode must be strict or tolerant, not ${values.mode}\n`);
    return 2;
  }
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
    default:
      io.err(`unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}
