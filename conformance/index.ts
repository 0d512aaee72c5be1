// Library entry point of the conformance suite, for teams writing their own tests:
//   import { validate, runFlows, checkWebhookReceiver } from "antom-openapi/conformance";
export { contract, valueAt } from "../src/core/contract.js";
export { formatErrors, kinds, schemaValidator, validate } from "../src/core/validate.js";
export type { Direction, Kind, Mode, ValidationError, ValidationResult } from "../src/core/validate.js";
export { checkCondition, flowsDir, loadFlows, runFlows } from "./flows.js";
export type { Flow, FlowMode, RunFlowsOptions, Signer, Step } from "./flows.js";
export { ackProblems, checkWebhookReceiver, notificationVariants } from "./webhooks.js";
export type { CheckWebhookReceiverOptions } from "./webhooks.js";
export { detectNotificationKind, kindFromFileName, operationFromUrl, validateFiles, validateHar, validatePayload } from "./payloads.js";
export { keySigner, responseSignatureProblem } from "./signer.js";
export type { KeySignerOptions } from "./signer.js";
export { jsonReport, junitReport, render, summary, textReport } from "./report.js";
export type { Check, ReporterName } from "./report.js";
export { describeError, toAntomResult } from "../src/core/antom-result.js";
export type { AntomErrorResponse } from "../src/core/antom-result.js";
