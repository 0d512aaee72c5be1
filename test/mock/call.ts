// Calls an operation of the mock the way an integration does: through the package's typed
// client, which signs every request (the mock checks the three signing headers are there; it
// cannot verify the RSA signature). A thin fetch wrapper adds what only the mock understands
// (`Prefer`, `__example`) and, for the error cases, takes away what a broken integration would.
import { generateKeyPairSync } from "node:crypto";
import { inject } from "vitest";
import { AntomHttpError, createAntomClient, type OperationId } from "../../src/index.js";

export const CLIENT_ID = "SANDBOX_5YBZ1K2ZXXXX00000";
// A throwaway key: the mock ignores the signature's value, but the client signs for real.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

export interface CallOptions {
  /** Outcome to ask for, sent as `Prefer: example=<name>`. */
  example?: string;
  /** Outcome to ask for in Prism's query form, `?__example=<name>`. */
  exampleQuery?: string;
  /** Headers to set after signing; `undefined` removes one (e.g. `Signature`). */
  headers?: Record<string, string | undefined>;
  /** A raw body sent in place of the signed JSON, e.g. text that is not JSON. */
  rawBody?: string;
}

export interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  body: any;
}

export function mockBaseUrl(): string {
  return inject("mockBaseUrl");
}

/**
 * Only 127.0.0.1 may receive the mock's notifications: the examples name real-looking hosts in
 * `paymentNotifyUrl`, and Prism would POST to them.
 */
function assertLocalNotifyUrl(body: unknown): void {
  const url = (body as { paymentNotifyUrl?: unknown } | null)?.paymentNotifyUrl;
  if (url !== undefined && !(typeof url === "string" && url.startsWith("http://127.0.0.1:"))) {
    throw new Error(`paymentNotifyUrl must point at a local receiver (http://127.0.0.1:<port>/...), got ${String(url)}`);
  }
}

async function adjust(request: Request, options: CallOptions): Promise<Request> {
  const url = new URL(request.url);
  if (options.exampleQuery) url.searchParams.set("__example", options.exampleQuery);
  const headers = new Headers(request.headers);
  if (options.example) headers.set("Prefer", `example=${options.example}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined) headers.delete(name);
    else headers.set(name, value);
  }
  return new Request(url, { method: request.method, headers, body: options.rawBody ?? (await request.text()) });
}

function parse(text: string, contentType: string): unknown {
  return /json/.test(contentType) && text ? JSON.parse(text) : text;
}

/** Calls `operationId` on the mock with the typed client and reads the answer, whatever its status. */
export async function callOperation(operationId: OperationId, body: unknown, options: CallOptions = {}): Promise<Answer> {
  assertLocalNotifyUrl(body);
  // The answer's text as it came off the wire, whatever the client makes of it.
  let wire = "";
  const client = createAntomClient({
    baseUrl: mockBaseUrl(),
    // The mock serves the contract paths (/v1/payments/...) at its root.
    pathPrefix: "",
    clientId: CLIENT_ID,
    privateKey,
    fetch: async (request) => {
      const response = await fetch(await adjust(request, options));
      wire = await response.clone().text();
      return response;
    },
  });
  try {
    const result = await client[operationId](body as never);
    return { status: result.response.status, contentType: result.response.headers.get("content-type") ?? "", headers: result.response.headers, body: result.body };
  } catch (error) {
    if (!(error instanceof AntomHttpError)) throw error;
    const contentType = error.headers.get("content-type") ?? "";
    return { status: error.status, contentType, headers: error.headers, body: parse(wire, contentType) };
  }
}
