// scripts/coverage.ts: the SDK-field comparison behind docs/coverage.md, on miniature Java and Go
// SDK trees (the real SDKs are not available to the test suite).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { compare, sdkIndex, section, withSection } from "../../scripts/coverage.js";
import { spec } from "../helpers/spec.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "antom-coverage-"));
  const java = join(dir, "java", "src", "main", "java", "com", "alipay", "global", "api");
  await mkdir(join(java, "request", "ams", "pay"), { recursive: true });
  await mkdir(join(java, "model", "ams"), { recursive: true });
  await mkdir(join(java, "model", "aps"), { recursive: true });
  await writeFile(join(java, "request", "AlipayRequest.java"), "public class AlipayRequest<T> {\n  private String clientId;\n  private String path;\n}\n");
  await writeFile(
    join(java, "request", "ams", "pay", "AlipayPayCancelRequest.java"),
    "public class AlipayPayCancelRequest extends AlipayRequest<X> {\n  private String paymentId;\n  private String paymentRequestId;\n  private Quote someNewField;\n}\n",
  );
  await writeFile(join(java, "model", "ams", "Quote.java"), "public class Quote {\n  private String quoteId;\n}\n");
  await writeFile(join(java, "model", "aps", "Quote.java"), "public class Quote {\n  private String apsOnly;\n}\n");
  const go = join(dir, "go", "com", "alipay", "api");
  await mkdir(join(go, "request", "notify"), { recursive: true });
  await mkdir(join(go, "model"), { recursive: true });
  await writeFile(join(go, "request", "notify", "AlipayNotify.go"), 'package notify\n\ntype AlipayNotify struct {\n\tNotifyType string `json:"notifyType,omitempty"`\n\tResult *model.Result `json:"result,omitempty"`\n}\n');
  await writeFile(
    join(go, "request", "notify", "AlipayCaptureResultNotify.go"),
    'package notify\n\ntype AlipayCaptureResultNotify struct {\n\tAlipayNotify\n\tCaptureId string `json:"captureId,omitempty"`\n\tCaptureAmount *model.Amount `json:"captureAmount,omitempty"`\n\tBrandNew []*model.Amount `json:"brandNew,omitempty"`\n}\n',
  );
  await writeFile(join(go, "model", "Amount.go"), 'package model\n\ntype Amount struct {\n\tCurrency string `json:"currency,omitempty"`\n\tValue string `json:"value,omitempty"`\n}\n');
  await writeFile(join(go, "model", "Result.go"), 'package model\n\ntype Result struct {\n\tResultCode string `json:"resultCode,omitempty"`\n}\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("Java: transport fields of AlipayRequest are not body fields, the online-payments model wins a name clash, new fields are flagged", () => {
  const pairs = compare(sdkIndex(join(dir, "java")), spec, { "CancelRequest.someNewField": "a reason" });
  const cancel = pairs.find((p) => p.schema === "CancelRequest")!;
  expect(cancel.rows.map((r) => [r.field, r.status])).toEqual([
    ["paymentId", "defined"],
    ["paymentRequestId", "defined"],
    ["someNewField", "left out"],
    ["merchantAccountId", "contract only"],
  ]);
  expect(cancel.rows.find((r) => r.field === "someNewField")!.reason).toBe("a reason");
});

test("Go: embedded structs contribute their fields, models are followed, and a field without a reason is marked", () => {
  const pairs = compare(sdkIndex(join(dir, "go")), spec, {});
  const capture = pairs.find((p) => p.schema === "NotifyCaptureRequest")!;
  expect(capture.rows.filter((r) => r.status === "defined").map((r) => r.field)).toEqual(["notifyType", "result", "captureId", "captureAmount"]);
  expect(pairs.map((p) => p.schema)).toEqual(expect.arrayContaining(["Amount", "Result"]));
  const text = section(pairs, "Go", "version 0.0.1");
  expect(text).toContain("| `brandNew` | `[]*model.Amount` | left out: **no reason recorded** |");
  expect(withSection("a\n<!-- sdk-coverage:start -->\nold\n<!-- sdk-coverage:end -->\nb", "new")).toBe("a\n<!-- sdk-coverage:start -->\nnew\n<!-- sdk-coverage:end -->\nb");
});

test("PHP: $openAPITypes of the models and public fields of the notification classes", async () => {
  const php = join(dir, "php");
  await mkdir(join(php, "model"), { recursive: true });
  await mkdir(join(php, "request", "notify"), { recursive: true });
  await writeFile(join(php, "model", "Amount.php"), "<?php\nclass Amount implements ModelInterface\n{\n    protected static $openAPITypes = [\n        'currency' => 'string',\n        'value' => 'string'\n    ];\n}\n");
  await writeFile(join(php, "model", "ResultStatus.php"), "<?php\nclass ResultStatus\n{\n    public $value;\n}\n");
  await writeFile(join(php, "request", "notify", "AlipayNotify.php"), "<?php\nclass AlipayNotify\n{\n    public $notifyType;\n\n    public $result;\n}\n");
  await writeFile(
    join(php, "request", "notify", "AlipayCaptureResultNotify.php"),
    "<?php\nclass AlipayCaptureResultNotify extends \\Request\\notify\\AlipayNotify\n{\n    public $captureId;\n\n    public $captureAmount;\n}\n",
  );
  const pairs = compare(sdkIndex(php), spec, {});
  const capture = pairs.find((p) => p.schema === "NotifyCaptureRequest")!;
  expect(capture.rows.filter((r) => r.status === "defined").map((r) => r.field)).toEqual(["notifyType", "result", "captureId", "captureAmount"]);
  expect(pairs.some((p) => p.sdkClass === "ResultStatus")).toBe(false);
});

test("a directory that is no SDK checkout is refused with the reason", () => {
  expect(() => sdkIndex(dir)).toThrow(/not a checkout/);
});
