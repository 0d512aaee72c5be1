// The package as a user installs it: the tarball `npm pack` makes (its prepack script builds
// dist/), unpacked into a consumer's node_modules, resolved through its `exports` by plain Node
// (no tsx) and by tsc in the consumer setups the README documents, with only its declared
// dependencies. Offline: the dependencies are the project's own, linked beside the package.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { root } from "../helpers/paths.js";

const run = promisify(execFile);
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
let dir: string;
let pkg: string;
let manifest: any;
let packed: { filename: string; size: number; files: { path: string }[] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "antom-package-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  // The prepack script's own output comes first on stdout; the report is the JSON array after it.
  packed = JSON.parse(stdout.slice(stdout.search(/^\[/m)))[0];
  pkg = join(dir, "node_modules", "antom-openapi");
  await mkdir(pkg, { recursive: true });
  await run("tar", ["-xzf", join(dir, packed.filename), "-C", pkg, "--strip-components=1"]);
  // The package's dependencies, as npm would install them next to it.
  await symlink(join(root, "node_modules"), join(pkg, "node_modules"), "dir");
  manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8"));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

test("the tarball holds the build, the licence, the README and what the README links to", async () => {
  const paths = packed.files.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/src/index.js", "dist/generated/antom.d.ts"]));
  expect(await readFile(join(pkg, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  // No sources, tests or tooling: only what users read or run.
  expect(paths.filter((p) => /^(src|test|scripts|bench|node_modules|generated)\//.test(p))).toEqual([]);
  expect(packed.size).toBeLessThan(1024 * 1024);
  // Every relative link of the README and of the pages it links to resolves inside the package
  // (the built reference, docs/site/, is the one thing left out: `npm run docs` makes it).
  const pages = ["README.md", ...paths.filter((p) => /^(docs\/[^/]+|openapi\/README)\.md$/.test(p))];
  let links = 0;
  for (const page of pages) {
    const text = (await readFile(join(pkg, page), "utf8")).replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
      const path = target.split("#")[0];
      if (path === "site/index.html") continue;
      expect(existsSync(resolve(dirname(join(pkg, page)), path)), `${page} links to ${target}`).toBe(true);
      if (page === "README.md") links++;
    }
  }
  expect(links).toBeGreaterThanOrEqual(16);
});

test("every `exports` target is in the build and inside the published files", async () => {
  const targets: string[] = [];
  const collect = (node: unknown) => {
    if (typeof node === "string") targets.push(node);
    else if (node && typeof node === "object") Object.values(node).forEach(collect);
  };
  collect(manifest.exports);
  expect(manifest).toEqual(JSON.parse(await readFile(join(root, "package.json"), "utf8")));
  expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining([".", "./types", "./openapi.json", "./openapi.yaml", "./conformance"]));
  for (const target of targets) {
    expect((await stat(join(pkg, target))).isFile(), target).toBe(true);
    expect(target === "./package.json" || packed.files.some((f) => `./${f.path}` === target), target).toBe(true);
  }
  // Runtime dependencies: openapi-fetch, ajv for validation, yaml for the conformance flows,
  // redis for the sandbox's shared store (loaded only with --store redis://).
  expect(Object.keys(manifest.dependencies).sort()).toEqual(["ajv", "ajv-formats", "openapi-fetch", "redis", "yaml"]);
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

// What a TypeScript user writes; each setup below must compile it without an error.
const CONSUMER = `import type { paths, PayRequest } from "antom-openapi/types";
import type { Check } from "antom-openapi/conformance";
import { createAntomClient, type AntomResult, type RequestBody } from "antom-openapi";
import { generateKeyPairSync } from "node:crypto";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const client = createAntomClient({
  baseUrl: "https://open-sea-global.alipay.com",
  clientId: "SANDBOX_1",
  privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
});
type SamePayRequest = RequestBody<"pay"> extends PayRequest ? (PayRequest extends RequestBody<"pay"> ? true : false) : false;
export const same: SamePayRequest = true;
export type PayPath = keyof paths & "/v1/payments/pay";
export type CheckName = Check["name"];
export async function cancel(): Promise<string | undefined> {
  const result: AntomResult<"cancel"> = await client.cancel({ paymentId: "2024" });
  // @ts-expect-error cancelTime is there only once the result is known not to be F
  void result.cancelTime;
  return result.resultStatus === "S" ? result.cancelTime : undefined;
}
console.log(client.endpoint);
`;

/** The consumer setups the README's "Package" section documents, by the tsconfig they use. */
const SETUPS: { name: string; type: "module" | "commonjs"; compilerOptions: Record<string, unknown> }[] = [
  { name: "ESM project, module node16", type: "module", compilerOptions: { module: "node16", moduleResolution: "node16" } },
  { name: "bundler (Vite, esbuild, webpack)", type: "module", compilerOptions: { module: "esnext", moduleResolution: "bundler" } },
  { name: "CommonJS project, moduleResolution node10", type: "commonjs", compilerOptions: { module: "commonjs", moduleResolution: "node10" } },
];

/** Writes a consumer project under the temp folder; returns tsc's output (empty when it compiles). */
async function compile(name: string, type: string, compilerOptions: Record<string, unknown>, emit = false): Promise<string> {
  const project = join(dir, "consumers", name.replace(/\W+/g, "-"));
  await mkdir(project, { recursive: true });
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type }));
  await writeFile(join(project, "consumer.ts"), CONSUMER);
  await writeFile(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        strict: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
        ...(emit ? { outDir: "out" } : { noEmit: true }),
        ...compilerOptions,
      },
      files: ["consumer.ts"],
    }),
  );
  return run(process.execPath, [tsc, "-p", join(project, "tsconfig.json")]).then(
    () => "",
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
}

describe.concurrent("tsc resolves the declarations of `.`, `./types` and `./conformance` and enforces them", () => {
  test.each(SETUPS.map((s) => [s.name, s] as const))("%s", async (_name, setup) => {
    expect(await compile(setup.name, setup.type, setup.compilerOptions)).toBe("");
  });

  test("CommonJS with module node16 is refused (TS1479), which is why the README says nodenext", async () => {
    expect(await compile("cjs node16", "commonjs", { module: "node16", moduleResolution: "node16" })).toMatch(/TS1479/);
  });

  test("CommonJS project, module nodenext: compiles, and the build runs (Node requires the ESM package)", async () => {
    const name = "cjs runtime";
    expect(await compile(name, "commonjs", { module: "nodenext", moduleResolution: "nodenext" }, true)).toBe("");
    const out = join(dir, "consumers", "cjs-runtime", "out", "consumer.js");
    expect(await readFile(out, "utf8")).toContain('require("antom-openapi")');
    const { stdout } = await run(process.execPath, [out], { cwd: dirname(out) });
    expect(stdout.trim()).toBe("https://open-sea-global.alipay.com/ams/sandbox/api");
  });
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
