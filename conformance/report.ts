// Check results and the three ways of reporting them: a readable summary with a progress line
// per check, JUnit XML for CI, and JSON.
export interface Check {
  /** Group of checks, e.g. the file or flow it belongs to. */
  suite: string;
  name: string;
  passed: boolean;
  /** Why it failed (or notes on a pass), one line each. */
  details: string[];
  durationMs: number;
}

export type ReporterName = "text" | "junit" | "json";

export function summary(checks: Check[]): { total: number; passed: number; failed: number } {
  const failed = checks.filter((c) => !c.passed).length;
  return { total: checks.length, passed: checks.length - failed, failed };
}

/** One progress line for a finished check, for the text reporter. */
export function progressLine(check: Check): string {
  const head = `${check.passed ? "PASS" : "FAIL"}  ${check.suite} > ${check.name}`;
  return [head, ...check.details.map((d) => `      ${d}`)].join("\n");
}

export function textReport(checks: Check[]): string {
  const { total, passed, failed } = summary(checks);
  return [...checks.map(progressLine), "", `${passed} passed, ${failed} failed (${total} checks)`].join("\n");
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

export function junitReport(checks: Check[], name = "antom-conformance"): string {
  const suites = new Map<string, Check[]>();
  for (const c of checks) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const { total, failed } = summary(checks);
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xml(name)}" tests="${total}" failures="${failed}">`];
  for (const [suite, list] of suites) {
    const f = list.filter((c) => !c.passed).length;
    const t = list.reduce((sum, c) => sum + c.durationMs, 0);
    lines.push(`  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${f}" time="${time(t)}">`);
    for (const c of list) {
      lines.push(`    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="${time(c.durationMs)}">`);
      if (!c.passed) {
        const message = c.details[0] ?? "failed";
        lines.push(`      <failure message="${xml(message)}">${xml(c.details.join("\n"))}</failure>`);
      }
      lines.push("    </testcase>");
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}

export function jsonReport(checks: Check[]): string {
  return `${JSON.stringify({ ...summary(checks), checks }, null, 2)}\n`;
}

export function render(checks: Check[], reporter: ReporterName): string {
  if (reporter === "junit") return junitReport(checks);
  if (reporter === "json") return jsonReport(checks);
  return `${textReport(checks)}\n`;
}
