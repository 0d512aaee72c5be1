// The README's client snippet for the mock runs as written against the mock (only the port
// differs), and the production configuration beside it would not: Prism cannot sign.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, inject, test } from "vitest";
import { createAntomClient, AntomResponseSignatureError } from "../../src/index.js";
import { root } from "../helpers/paths.js";

const readme = await readFile(join(root, "README.md"), "utf8");
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const mockSnippet = snippets.find((s) => s.includes('baseUrl: "http://127.0.0.1:4010"'));

test("the README's mock configuration sets pathPrefix \"\" and no antomPublicKey, and its call succeeds against the mock", async () => {
  expect(mockSnippet, "a ts snippet with the mock's base URL").toBeDefined();
  expect(mockSnippet).toContain('pathPrefix: ""');
  expect(mockSnippet).not.toMatch(/^\s*antomPublicKey:/m);
  const dir = await mkdtemp(join(tmpdir(), "antom-readme-"));
  try {
    const file = join(dir, "snippet.mts");
    const code = mockSnippet!.replace("http://127.0.0.1:4010", inject("mockBaseUrl"));
    await writeFile(
      file,
      `import { createAntomClient } from ${JSON.stringify(join(root, "src", "index.ts"))};\n${code}\nconsole.log(JSON.stringify({ status: answer.resultStatus, verification: answer.verification }));\n`,
    );
    // From the repository root, where the snippet's relative key path points.
    const { stdout } = await promisify(execFile)(join(root, "node_modules", ".bin", "tsx"), [file], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ status: "S", verification: "skipped" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("with antomPublicKey set, as for Antom itself, a call to the mock throws AntomResponseSignatureError", async () => {
  const key = (name: string) => readFile(join(root, "docs", "signing-example", name), "utf8");
  const client = createAntomClient({
    baseUrl: inject("mockBaseUrl"),
    pathPrefix: "",
    clientId: "SANDBOX_TEST",
    privateKey: await key("test-private-key.pem"),
    antomPublicKey: await key("test-public-key.pem"),
  });
  await expect(client.cancel({ paymentId: "20240501194010800100188570271832381" })).rejects.toBeInstanceOf(AntomResponseSignatureError);
});
