// Check results and the three ways of reporting them: a readable summary with a progress line
// per check, JUnit XML for CI, and JSON. Every report passes the one redaction step first, so no
// card number or CVV reaches a terminal, a CI log or a report file.
import { redactText } from "../src/core/redact.js";

export interface Check {
  /** Group of checks, e.g. the file or flow it belongs to. */
  suite: string;
  name: string;
  passed: boolean;
  /** Why it failed (or notes on a pass), one line each. */
  details: string[];
  durationMs: number;
  /**
   * The check could not be run at all (an input that cannot be read, a server that cannot be
   * reached, an internal error), as opposed to a check that ran and failed. Implies not passed.
   */
  error?: boolean;
}

/** A check as it may be shown: every text in it redacted. */
export function redactCheck(check: Check): Check {
  return { ...check, suite: redactText(check.suite), name: redactText(check.name), details: check.details.map(redactText) };
}

export type ReporterName = "text" | "junit" | "json";

export function summary(checks: Check[]): { total: number; passed: number; failed: number; errors: number } {
  const failed = checks.filter((c) => !c.passed).length;
  const errors = checks.filter((c) => c.error).length;
  return { total: checks.length, passed: checks.length - failed, failed, errors };
}

/** One progress line for a finished check, for the text reporter. */
export function progressLine(check: Check): string {
  const shown = redactCheck(check);
  const head = `${shown.passed ? "PASS" : shown.error ? "ERROR" : "FAIL"}  ${shown.suite} > ${shown.name}`;
  return [head, ...shown.details.map((d) => `      ${d}`)].join("\n");
}

export function textReport(checks: Check[]): string {
  const { total, passed, failed } = summary(checks);
  return [...checks.map(progressLine), "", `${passed} passed, ${failed} failed (${total} checks)`].join("\n");
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

export function junitReport(given: Check[], name = "antom-conformance"): string {
  const checks = given.map(redactCheck);
  const suites = new Map<string, Check[]>();
  for (const c of checks) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const { total, failed, errors } = summary(checks);
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xml(name)}" tests="${total}" failures="${failed - errors}" errors="${errors}">`];
  for (const [suite, list] of suites) {
    const f = list.filter((c) => !c.passed && !c.error).length;
    const e = list.filter((c) => c.error).length;
    const t = list.reduce((sum, c) => sum + c.durationMs, 0);
    lines.push(`  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${f}" errors="${e}" time="${time(t)}">`);
    for (const c of list) {
      lines.push(`    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="${time(c.durationMs)}">`);
      if (!c.passed) {
        const message = c.details[0] ?? "failed";
        const element = c.error ? "error" : "failure";
        lines.push(`      <${element} message="${xml(message)}">${xml(c.details.join("\n"))}</${element}>`);
      }
      lines.push("    </testcase>");
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}

export function jsonReport(checks: Check[]): string {
  return redactText(`${JSON.stringify({ ...summary(checks), checks: checks.map((c) => ({ ...redactCheck(c), durationMs: Math.round(c.durationMs * 1000) / 1000 })) }, null, 2)}\n`);
}

export function render(checks: Check[], reporter: ReporterName): string {
  if (reporter === "junit") return junitReport(checks);
  if (reporter === "json") return jsonReport(checks);
  return `${textReport(checks)}\n`;
}
