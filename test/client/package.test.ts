// The package as a user installs it: built by `npm run build`, resolved through its `exports`
// by plain Node (no tsx) and by tsc, with only its declared dependencies.
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { build } from "../../scripts/build.js";
import { root } from "../helpers/paths.js";

const run = promisify(execFile);
let dir: string;
let pkg: string;
let manifest: any;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "antom-package-"));
  pkg = join(dir, "node_modules", "antom-openapi");
  await build(join(pkg, "dist"));
  await cp(join(root, "package.json"), join(pkg, "package.json"));
  // The package's dependencies, as npm would install them next to it.
  await symlink(join(root, "node_modules"), join(pkg, "node_modules"), "dir");
  manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("every `exports` target is in the build and inside the published files", async () => {
  const targets: string[] = [];
  const collect = (node: unknown) => {
    if (typeof node === "string") targets.push(node);
    else if (node && typeof node === "object") Object.values(node).forEach(collect);
  };
  collect(manifest.exports);
  expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining([".", "./types", "./openapi.json", "./openapi.yaml", "./conformance"]));
  for (const target of targets) {
    expect((await stat(join(pkg, target))).isFile(), target).toBe(true);
    expect(target === "./package.json" || manifest.files.some((f: string) => target.startsWith(`./${f}/`)), target).toBe(true);
  }
  // Runtime dependencies: openapi-fetch, ajv for validation, yaml for the conformance flows.
  expect(Object.keys(manifest.dependencies).sort()).toEqual(["ajv", "ajv-formats", "openapi-fetch", "yaml"]);
});

test("plain Node imports the client and the bundled spec, signs, calls and verifies a notification", async () => {
  const script = `
import { generateKeyPairSync, sign } from "node:crypto";
import { createAntomClient, verifyNotification, notificationAck, signContent, signatureHeader } from "antom-openapi";
import spec from "antom-openapi/openapi.json" with { type: "json" };

const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
const antom = generateKeyPairSync("rsa", { modulusLength: 2048 });
const der = (key, type) => key.export({ type, format: "der" }).toString("base64");

// A signed answer from "Antom", made in-process through the fetch option.
const answer = JSON.stringify({ result: { resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success" }, paymentId: "2024" });
const fetch = async (request) => {
  const path = new URL(request.url).pathname;
  const time = "2024-05-01T10:00:00+08:00";
  const signature = signContent({ path, clientId: "SANDBOX_1", time, body: answer }, antom.privateKey);
  return new Response(answer, { status: 200, headers: { "response-time": time, signature: signatureHeader(signature) } });
};
const client = createAntomClient({ baseUrl: "https://open-sea-global.alipay.com", clientId: "SANDBOX_1", privateKey: der(merchant.privateKey, "pkcs8"), antomPublicKey: der(antom.publicKey, "spki"), fetch });
const paid = await client.cancel({ paymentId: "2024" });

const body = JSON.stringify(spec.webhooks.notifyPayment.post.requestBody.content["application/json"].examples.authorizationSuccess.value);
const time = "2024-05-02T08:56:10+08:00";
const signature = sign("sha256", Buffer.from("POST /notify\\nSANDBOX_1." + time + "." + body), antom.privateKey).toString("base64");
const notification = verifyNotification({
  path: "/notify",
  headers: { "client-id": "SANDBOX_1", "request-time": time, signature: "algorithm=RSA256,keyVersion=1,signature=" + encodeURIComponent(signature) },
  body,
  antomPublicKey: der(antom.publicKey, "spki"),
});
console.log(JSON.stringify({ endpoint: client.endpoint, status: paid.resultStatus, verification: paid.verification, paymentId: paid.paymentId, kind: notification.kind, ack: notificationAck() }));
`;
  await writeFile(join(dir, "consumer.mjs"), script);
  const { stdout } = await run(process.execPath, [join(dir, "consumer.mjs")], { cwd: dir });
  expect(JSON.parse(stdout)).toEqual({
    endpoint: "https://open-sea-global.alipay.com/ams/sandbox/api",
    status: "S",
    verification: "verified",
    paymentId: "2024",
    kind: "notifyPayment",
    ack: '{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}',
  });
});

test("tsc resolves the declarations of `.` and `./types` and enforces them", async () => {
  await mkdir(join(dir, "ts"), { recursive: true });
  await writeFile(
    join(dir, "ts", "consumer.ts"),
    `import type { paths, PayRequest } from "antom-openapi/types";
import { createAntomClient, type AntomResult, type RequestBody } from "antom-openapi";

const client = createAntomClient({ baseUrl: "https://open-sea-global.alipay.com", clientId: "SANDBOX_1", privateKey: "..." });
type SamePayRequest = RequestBody<"pay"> extends PayRequest ? (PayRequest extends RequestBody<"pay"> ? true : false) : false;
export const same: SamePayRequest = true;
export type PayPath = keyof paths & "/v1/payments/pay";
export async function cancel(): Promise<string | undefined> {
  const result: AntomResult<"cancel"> = await client.cancel({ paymentId: "2024" });
  // @ts-expect-error cancelTime is there only once the result is known not to be F
  void result.cancelTime;
  return result.resultStatus === "S" ? result.cancelTime : undefined;
}
`,
  );
  await writeFile(
    join(dir, "ts", "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
      },
      files: ["consumer.ts"],
    }),
  );
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const output = await run(process.execPath, [tsc, "-p", join(dir, "ts", "tsconfig.json")]).then(
    () => "",
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
  expect(output).toBe("");
});

test("plain Node imports the conformance suite, and its CLI runs from the package's bin", async () => {
  await writeFile(
    join(dir, "conformance.mjs"),
    `import { validate, loadFlows, notificationVariants, toAntomResult } from "antom-openapi/conformance";
const bad = validate("cancel.request", {});
console.log(JSON.stringify({ valid: bad.valid, answer: toAntomResult(bad).result.resultCode, flows: loadFlows().length, notifications: notificationVariants().length > 0 }));
`,
  );
  const { stdout } = await run(process.execPath, [join(dir, "conformance.mjs")], { cwd: dir });
  expect(JSON.parse(stdout)).toEqual({ valid: false, answer: "PARAM_ILLEGAL", flows: 15, notifications: true });
  const bin = join(pkg, manifest.bin["antom-conformance"]);
  const kinds = await run(process.execPath, [bin, "kinds"], { cwd: dir });
  expect(kinds.stdout.split("\n")).toContain("pay.request");
});

test("the package's antom-sandbox bin starts, serves its control API document's operations, and stops", async () => {
  const bin = join(pkg, manifest.bin["antom-sandbox"]);
  const help = await run(process.execPath, [bin, "--help"], { cwd: dir });
  expect(help.stdout).toContain("--merchant-public-key");
  const child = spawn(process.execPath, [bin, "--port", "0", "--keys-dir", join(dir, "sandbox-keys")], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20_000);
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const found = /Antom sandbox at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
    });
    // The control API validates against openapi/sandbox.yaml, which the package ships.
    const refused = await fetch(`${url}/sandbox/clock`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ clientId: "SANDBOX_LOCAL_MERCHANT", advance: "soon" }) });
    expect(((await refused.json()) as { error: { path: string } }).error.path).toBe("advance");
  } finally {
    child.kill("SIGTERM");
  }
}, 60_000);
