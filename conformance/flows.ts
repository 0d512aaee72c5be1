// Runs the scenario flows of conformance/flows/ (Arazzo 1.0 workflows) against any server that
// speaks Antom's protocol: the Prism mock, Antom's sandbox, or a stateful simulator.
//
// Modes:
//   contract:  each step asks the server for the outcome it expects with the step's own
//              `Prefer: example=<outcome>` header parameter, which the Prism mock honours; every
//              message is validated against the contract.
//   behaviour: the Prefer header is not sent; the server must reach each outcome by itself, so
//              the flow's success criteria check the server's state machine.
// The files are plain Arazzo, so `redocly respect` runs the Antom flows unchanged against the mock.
// The subset of Arazzo used: workflow and step `parameters` (headers; path and query for the
// sandbox's control API), steps with operationId, requestBody.payload and replacements,
// successCriteria with simple `==` / `!=` conditions, outputs, and `$inputs`.
// A step whose operationId is `$sourceDescriptions.sandbox.<op>` calls the local sandbox's
// control API (openapi/sandbox.yaml), unsigned: such flows run only against the sandbox.
// `x-parallel: N` on a step sends N identical requests at once; every answer must pass and all
// must be the same (idempotency under concurrency).
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describeError } from "../src/core/antom-result.js";
import type { Check } from "./report.js";
import { requestUri } from "../src/core/signing.js";
import { controlContract, valueAt } from "../src/core/contract.js";
import { validate, type ValidationError } from "../src/core/validate.js";

export type FlowMode = "contract" | "behaviour";

/** Produces the signing headers (`Client-Id`, `Request-Time`, `Signature`) for a request. */
export type Signer = (request: { method: "POST"; path: string; body: string }) => Record<string, string> | Promise<Record<string, string>>;

export interface Parameter {
  name: string;
  in?: "header" | "query" | "path" | "cookie";
  value: unknown;
}

export interface Step {
  stepId: string;
  operationId: string;
  "x-parallel"?: number;
  /** Headers of this step (they override the workflow's of the same name); path and query parameters of a control API step. */
  parameters?: Parameter[];
  requestBody?: { contentType?: string; payload?: unknown; replacements?: { target: string; value: unknown }[] };
  successCriteria?: { condition: string }[];
  outputs?: Record<string, string>;
}

export interface Flow {
  file: string;
  title: string;
  workflowId: string;
  summary?: string;
  /** Headers every step sends (the flows give placeholder signing headers here). */
  parameters?: Parameter[];
  steps: Step[];
  /** The flow names the sandbox's control API among its sources: it runs only against the local sandbox. */
  sandboxOnly: boolean;
}

export interface RunFlowsOptions {
  /** Server URL up to, not including, `/v1/payments/...` (e.g. `http://127.0.0.1:4010`, `https://open-sea-global.alipay.com/ams/sandbox/api`). */
  baseUrl: string;
  mode?: FlowMode;
  /** Flow files or workflowIds to run; default: every flow in conformance/flows/. */
  flows?: string[];
  /** Signs each request; without one, placeholder signing headers are sent (enough for the mock). */
  signer?: Signer;
  /** Checks a response's signature; returns why it does not verify, or undefined. */
  verifyResponse?: (response: { headers: Headers; body: string }, request: { path: string }) => string | undefined;
  fetch?: typeof fetch;
  /** Per-request time limit. */
  timeoutMs?: number;
  /** Called after each step, e.g. to print progress. */
  onCheck?: (check: Check) => void;
  /** Values of `$inputs.<name>`; `sandboxUrl` defaults to the origin of `baseUrl`. */
  inputs?: Record<string, unknown>;
}

export const flowsDir = fileURLToPath(new URL("./flows/", import.meta.url));

function workflowsIn(file: string): Flow[] {
  const doc = parse(readFileSync(file, "utf8"));
  return (doc.workflows ?? []).map((w: { workflowId: string; summary?: string; parameters?: Parameter[]; steps: Step[] }) => ({
    file,
    title: doc.info?.title ?? basename(file),
    workflowId: w.workflowId,
    summary: w.summary,
    parameters: w.parameters,
    steps: w.steps,
    sandboxOnly: (doc.sourceDescriptions ?? []).some((source: { name?: string }) => source.name === "sandbox"),
  }));
}

/** Every workflow of the given Arazzo files, or of every `*.arazzo.yaml` in conformance/flows/. */
export function loadFlows(selection?: string[]): Flow[] {
  const all = readdirSync(flowsDir)
    .filter((f) => f.endsWith(".arazzo.yaml"))
    .sort()
    .flatMap((f) => workflowsIn(join(flowsDir, f)));
  if (!selection || selection.length === 0) return all;
  return selection.flatMap((wanted) => {
    const byId = all.filter((f) => f.workflowId === wanted || basename(f.file) === wanted || basename(f.file) === `${wanted}.arazzo.yaml`);
    if (byId.length > 0) return byId;
    try {
      return workflowsIn(wanted);
    } catch {
      throw new Error(`no flow named ${wanted}; known: ${all.map((f) => f.workflowId).join(", ")}`);
    }
  });
}

interface StepResult {
  statusCode?: number;
  body?: unknown;
  headers?: Headers;
  outputs: Record<string, unknown>;
}

/** Evaluates an Arazzo runtime expression, or returns a literal as is. */
function evaluate(expression: unknown, current: StepResult | undefined, steps: Map<string, StepResult>, inputs: Record<string, unknown> = {}): unknown {
  if (typeof expression === "string" && expression.includes("{$")) {
    // An expression inside a string: `{$inputs.sandboxUrl}/sandbox/receiver/a`.
    return expression.replace(/\{(\$[^}]+)\}/g, (_m, inner: string) => String(evaluate(inner, current, steps, inputs)));
  }
  if (typeof expression !== "string" || !expression.startsWith("$")) return expression;
  if (expression.startsWith("$inputs.")) return inputs[expression.slice("$inputs.".length)];
  if (expression === "$statusCode") return current?.statusCode;
  if (expression.startsWith("$response.body")) {
    const at = expression.indexOf("#");
    return at < 0 ? current?.body : valueAt(current?.body, expression.slice(at + 1));
  }
  if (expression.startsWith("$response.header.")) return current?.headers?.get(expression.slice("$response.header.".length)) ?? undefined;
  const step = /^\$steps\.([^.]+)\.outputs\.(.+)$/.exec(expression);
  if (step) return steps.get(step[1])?.outputs[step[2]];
  throw new Error(`unsupported runtime expression ${expression}`);
}

function literal(text: string, current: StepResult | undefined, steps: Map<string, StepResult>): unknown {
  const t = text.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1);
  if (t === "null") return null;
  if (t === "true" || t === "false") return t === "true";
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(t)) return Number(t);
  return evaluate(t, current, steps);
}

/** Checks one simple condition (`<a> == <b>` or `<a> != <b>`); returns why it failed, or undefined. */
export function checkCondition(condition: string, current: StepResult | undefined, steps: Map<string, StepResult>): string | undefined {
  const match = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(condition);
  if (!match) return `unsupported condition ${condition}`;
  const left = literal(match[1], current, steps);
  const right = literal(match[3], current, steps);
  // `!= null` also means "present": an absent field counts as null.
  const same = (left ?? null) === (right ?? null);
  if (match[2] === "==" ? same : !same) return undefined;
  return `expected ${condition}; got ${JSON.stringify(left ?? null)}`;
}

const describe = (prefix: string, errors: ValidationError[]) => errors.map((e) => `${prefix} ${describeError(e)}`);

const SANDBOX_SOURCE = "$sourceDescriptions.sandbox.";
let runs = 0;
/** A `$inputs.runId` unique to each run, so flows that use it can run again against the same server. */
const newRunId = () => `${Date.now().toString(36)}${process.pid.toString(36)}${(++runs).toString(36)}`;



const SIGNING_HEADERS = ["client-id", "request-time", "signature"];
const PLACEHOLDER_SIGNING: Record<string, string> = {
  "Client-Id": "SANDBOX_CONFORMANCE",
  "Request-Time": "1700000000000",
  Signature: "algorithm=RSA256,keyVersion=1,signature=unsigned",
};

/** The outcome a step asks the mock for: the value of its `Prefer: example=<outcome>` header. */
export function preferredExample(step: Step): string | undefined {
  const prefer = step.parameters?.find((p) => (p.in ?? "header") === "header" && p.name.toLowerCase() === "prefer");
  return typeof prefer?.value === "string" ? /(?:^|[;,\s])example=([^;,\s]+)/.exec(prefer.value)?.[1] : undefined;
}

/**
 * The headers of a step: the workflow's header parameters, then the step's (same name, case
 * insensitive: the step wins). Prefer only in contract mode; with a signer, its headers replace
 * the flow's signing headers; without one and without them in the flow, placeholders.
 */
function stepHeaders(flow: Pick<Flow, "parameters">, step: Step, mode: FlowMode, steps: Map<string, StepResult>, inputs: Record<string, unknown>): Record<string, string> {
  const byName = new Map<string, [string, string]>();
  for (const p of [...(flow.parameters ?? []), ...(step.parameters ?? [])]) {
    if ((p.in ?? "header") !== "header") continue;
    const value = evaluate(p.value, undefined, steps, inputs);
    if (value !== undefined && value !== null) byName.set(p.name.toLowerCase(), [p.name, String(value)]);
  }
  if (mode !== "contract") byName.delete("prefer");
  for (const [name, value] of Object.entries(PLACEHOLDER_SIGNING)) if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), [name, value]);
  return Object.fromEntries([...byName.values()]);
}

/** The control API operation a step names, with its method and path template. */
function controlOperation(operationId: string): { method: string; path: string } | undefined {
  if (!operationId.startsWith(SANDBOX_SOURCE)) return undefined;
  const wanted = operationId.slice(SANDBOX_SOURCE.length);
  for (const [path, item] of Object.entries<Record<string, { operationId?: string }>>(controlContract().paths)) {
    for (const [method, op] of Object.entries(item)) if (op.operationId === wanted) return { method: method.toUpperCase(), path };
  }
  throw new Error(`no operation ${wanted} in the sandbox control API`);
}

async function runStep(flow: Flow, step: Step, options: RunFlowsOptions, mode: FlowMode, steps: Map<string, StepResult>): Promise<string[]> {
  const details: string[] = [];
  const inputs = { sandboxUrl: new URL(options.baseUrl).origin, ...(options.inputs ?? {}) };
  const payload = structuredClone(step.requestBody?.payload ?? {}) as Record<string, unknown>;
  for (const r of step.requestBody?.replacements ?? []) {
    const value = evaluate(r.value, undefined, steps, inputs);
    const keys = r.target.split("/").slice(1);
    let node: any = payload;
    for (const key of keys.slice(0, -1)) node = node[key] ??= {};
    node[keys.at(-1)!] = value;
  }
  const control = controlOperation(step.operationId);
  // With two sources, Arazzo names Antom's operations `$sourceDescriptions.antom.<op>`.
  const operationId = step.operationId.replace(/^\$sourceDescriptions\.antom\./, "");
  let url: string;
  let method = "POST";
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
  const body = JSON.stringify(payload);
  if (control) {
    // The sandbox's own control API: no signature, parameters filled in.
    let path = control.path;
    const query = new URLSearchParams();
    for (const p of step.parameters ?? []) {
      const value = String(evaluate(p.value, undefined, steps, inputs));
      if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(value));
      else if (p.in === "query") query.set(p.name, value);
      else headers[p.name] = value;
    }
    method = control.method;
    url = `${inputs.sandboxUrl}${path}${query.size > 0 ? `?${query}` : ""}`;
  } else {
    details.push(...describe("request", validate(`${operationId}.request`, payload, { mode: "strict" }).errors));
    url = `${options.baseUrl.replace(/\/+$/, "")}/v1/payments/${operationId}`;
    for (const [name, value] of Object.entries(stepHeaders(flow, step, mode, steps, inputs))) {
      if (!(options.signer && SIGNING_HEADERS.includes(name.toLowerCase()))) headers[name] = value;
    }
    if (options.signer) Object.assign(headers, await options.signer({ method: "POST", path: requestUri(url), body }));
  }
  const send = async (): Promise<StepResult & { text?: string; error?: string }> => {
    const result: StepResult & { text?: string; error?: string } = { outputs: {} };
    try {
      const response = await (options.fetch ?? fetch)(url, { method, headers, body: method === "GET" ? undefined : body, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
      result.statusCode = response.status;
      result.headers = response.headers;
      result.text = await response.text();
    } catch (error) {
      result.error = `request to ${url} failed: ${(error as Error).message}`;
    }
    return result;
  };
  const copies = Math.max(1, Math.min(step["x-parallel"] ?? 1, 1000));
  const results = await Promise.all(Array.from({ length: copies }, send));
  const result = results[0];
  if (result.error !== undefined) {
    details.push(result.error);
    steps.set(step.stepId, result);
    return details;
  }
  if (copies > 1 && results.some((r) => r.text !== result.text)) {
    details.push(`the ${copies} identical requests sent at once did not all get the same answer`);
  }
  const text = result.text ?? "";
  if (!control) {
    const signatureProblem = options.verifyResponse?.({ headers: result.headers!, body: text }, { path: requestUri(url) });
    if (signatureProblem) details.push(signatureProblem);
  }
  try {
    result.body = JSON.parse(text);
  } catch {
    details.push(`response is not JSON (HTTP ${result.statusCode}): ${text.slice(0, 200)}`);
  }
  if (!control && result.statusCode === 200 && result.body !== undefined) {
    details.push(...describe("response", validate(`${operationId}.response`, result.body, { mode: "tolerant" }).errors));
  }
  for (const { condition } of step.successCriteria ?? []) {
    const failure = checkCondition(condition, result, steps);
    if (failure) details.push(failure);
  }
  for (const [name, expression] of Object.entries(step.outputs ?? {})) result.outputs[name] = evaluate(expression, result, steps, inputs);
  steps.set(step.stepId, result);
  return details;
}

/** Runs the flows step by step; one check per step. A failed step stops its flow. */
export async function runFlows(options: RunFlowsOptions): Promise<Check[]> {
  const mode = options.mode ?? "contract";
  options = { ...options, inputs: { runId: newRunId(), ...(options.inputs ?? {}) } };
  const checks: Check[] = [];
  const record = (check: Check) => {
    checks.push(check);
    options.onCheck?.(check);
  };
  // Unless named, the sandbox's own flows run only in behaviour mode.
  const flows = loadFlows(options.flows).filter((flow) => options.flows?.length || mode === "behaviour" || !flow.sandboxOnly);
  for (const flow of flows) {
    const steps = new Map<string, StepResult>();
    let failedAt: string | undefined;
    for (const step of flow.steps) {
      const name = `${flow.workflowId} > ${step.stepId} (${step.operationId.split(".").at(-1)})`;
      if (failedAt) {
        record({ suite: flow.title, name, passed: false, details: [`not run: step ${failedAt} failed`], durationMs: 0 });
        continue;
      }
      const started = performance.now();
      const details = await runStep(flow, step, options, mode, steps);
      if (details.length > 0) failedAt = step.stepId;
      record({ suite: flow.title, name, passed: details.length === 0, details, durationMs: performance.now() - started });
    }
  }
  return checks;
}
