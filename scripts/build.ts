// Builds the publishable package into dist/: the client and the conformance suite compiled by
// tsc (keeping the source layout, so dist/src/core/contract.js finds
// dist/generated/openapi.json), the generated contract files the package exports, and the
// conformance flows.
import { execFile } from "node:child_process";
import { copyFile, cp, mkdir, rm } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

/** Files of generated/ shipped as they are: the types (./types) and the bundle (./openapi.json, ./openapi.yaml). */
export const shippedAsIs = ["antom.d.ts", "openapi.json", "openapi.yaml"];

export async function build(outDir = join(root, "dist")): Promise<void> {
  const out = resolve(outDir);
  // dist/ is emptied first: never let that be the project or a folder holding it.
  if (!relative(out, root).startsWith("..")) throw new Error(`refusing to build into ${out}: it holds the project`);
  await rm(out, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", out], { cwd: root });
  await mkdir(join(out, "generated"), { recursive: true });
  for (const file of shippedAsIs) await copyFile(join(root, "generated", file), join(out, "generated", file));
  // The sandbox's control API document, read by the sandbox beside its code.
  await mkdir(join(out, "openapi"), { recursive: true });
  await copyFile(join(root, "openapi", "sandbox.yaml"), join(out, "openapi", "sandbox.yaml"));
  // The scenario flows are data the conformance runner reads beside its code.
  await cp(join(root, "conformance", "flows"), join(out, "conformance", "flows"), { recursive: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build(process.argv[2]);
  console.log(`Built the package into ${process.argv[2] ?? "dist/"}`);
}
