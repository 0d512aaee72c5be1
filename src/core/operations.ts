// The five card operations as the contract names them, their paths, and the types of their
// bodies, derived from the generated types so they follow every `npm run generate`.
import type { operations, paths } from "../../generated/antom.js";
import type { ResultCode, ResultCodeOperation, ResultStatus } from "../../generated/result-codes.js";

/** The contract path of each operation (relative to the environment prefix `/ams/api` or `/ams/sandbox/api`). */
export const operationPaths = {
  consult: "/v1/payments/consult",
  pay: "/v1/payments/pay",
  cancel: "/v1/payments/cancel",
  capture: "/v1/payments/capture",
  inquiryPayment: "/v1/payments/inquiryPayment",
} as const satisfies Record<string, keyof paths>;

export type OperationId = keyof typeof operationPaths;

/** The request body of an operation, e.g. `RequestBody<"pay">` is `PayRequest`. */
export type RequestBody<Op extends OperationId> = operations[Op]["requestBody"]["content"]["application/json"];

/** The 200 response body of an operation as the contract defines it, e.g. `ResponseBody<"pay">` is `PayResponse`. */
export type ResponseBody<Op extends OperationId> = operations[Op]["responses"][200]["content"]["application/json"];

/** A `result` object whose `resultCode` is typed by its `resultStatus`. */
export type TypedResult<Op extends ResultCodeOperation> = {
  [S in ResultStatus]: { resultStatus: S; resultCode: ResultCode<Op, S>; resultMessage?: string };
}[ResultStatus];
