// The bundled contract (generated/openapi.json) as one parsed document per process, for every
// part of the project that reads it: the validation engine, the sandbox, the webhook checks,
// the mock launcher, the benchmark and the tests.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

type Json = Record<string, any>;

// Relative to this file, so it resolves from the sources and from the built package alike.
const specUrl = new URL("../../generated/openapi.json", import.meta.url);
let cached: Json | undefined;

/** The bundled contract, read once per process. Treat it as read-only. */
export function contract(): Json {
  cached ??= JSON.parse(readFileSync(specUrl, "utf8")) as Json;
  return cached;
}

// The sandbox's control API is one hand-written file, read as it is (the package ships it too).
const controlUrl = new URL("../../openapi/sandbox.yaml", import.meta.url);
let control: Json | undefined;

/** The sandbox control API's OpenAPI document (openapi/sandbox.yaml), read once per process. */
export function controlContract(): Json {
  control ??= parseYaml(readFileSync(controlUrl, "utf8")) as Json;
  return control;
}

/** The value at a JSON Pointer (`/result/resultCode`) in a document; undefined when absent. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node: any = data;
  for (const part of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}
