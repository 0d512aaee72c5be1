// scripts/mock.ts: options, start-up errors, and a clean stop (Prism's own process goes away).
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { freePort, parseArgs, scenarios, startMock } from "../../scripts/mock.js";
import { root } from "../helpers/paths.js";
import { namedExamples, spec } from "../helpers/spec.js";

const rawCard = namedExamples().find((e) => e.operationId === "pay" && e.direction === "request" && e.name === "rawCard")!.value;

const accepts = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), done(true)));
    socket.once("error", () => done(false));
  });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("parseArgs", () => {
  test("reads --port and --host, in both spellings, over the environment", () => {
    expect(parseArgs(["--port", "4011", "--host", "127.0.0.1"], {})).toEqual({ port: 4011, host: "127.0.0.1", loopbackOnly: true });
    expect(parseArgs(["--port=4012"], {})).toMatchObject({ port: 4012 });
    expect(parseArgs(["-p", "4013", "-h", "localhost"], {})).toEqual({ port: 4013, host: "localhost", loopbackOnly: true });
    expect(parseArgs([], { ANTOM_MOCK_PORT: "4014", ANTOM_MOCK_HOST: "localhost" })).toEqual({ port: 4014, host: "localhost", loopbackOnly: true });
    // Callbacks stay on this machine unless a user asks for more.
    expect(parseArgs(["--allow-remote-notifications"], {})).toMatchObject({ loopbackOnly: false });
    expect(parseArgs(["--port", "4015"], { ANTOM_MOCK_PORT: "4014" })).toMatchObject({ port: 4015 });
    expect(parseArgs(["--help"], {})).toBe("help");
  });

  test.each([
    [["--port", "abc"], /--port must be a TCP port number \(0-65535\), got "abc"/],
    [["--port", "70000"], /port must be a TCP port number \(0-65535\), got 70000/],
    [["--port"], /--port must be a TCP port number/],
    [["--host"], /--host needs a value/],
    [["--verbose"], /unknown option --verbose/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv as string[], {})).toThrow(message);
  });

  test("rejects a bad ANTOM_MOCK_PORT by name", () => {
    expect(() => parseArgs([], { ANTOM_MOCK_PORT: "4o10" })).toThrow(/ANTOM_MOCK_PORT must be a TCP port number/);
  });
});

test("scenarios() lists each operation's path and outcomes from the bundle, first outcome first", () => {
  const list = scenarios();
  expect(list.map((s) => s.path)).toEqual(Object.keys(spec.paths));
  for (const s of list) {
    expect(s.responses).toEqual(Object.keys(spec.paths[s.path].post.responses["200"].content["application/json"].examples));
  }
});

describe("startMock", () => {
  test("refuses a port that is already taken, without starting Prism", async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, "127.0.0.1", done));
    const { port } = taken.address() as { port: number };
    try {
      await expect(startMock({ port, stdio: "ignore" })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      taken.close();
    }
  });

  test("says why when Prism exits before it is ready", async () => {
    const error = await startMock({ port: 0, stdio: "ignore", spec: resolve(root, "no-such-openapi.yaml") }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Prism exited \(code 1\) before it was ready/);
    expect((error as Error).message).toContain("ENOENT");
  });

  test("picks a free port for port 0, keeps notifications local with loopbackOnly, and stop() ends Prism's own process", async () => {
    const mock = await startMock({ port: 0, stdio: "pipe", logLevel: "error", loopbackOnly: true });
    let output = "";
    mock.process.stdout!.on("data", (c) => (output += c));
    const pid = mock.process.pid!;
    try {
      expect(mock.baseUrl).toBe(`http://127.0.0.1:${mock.port}`);
      // 192.0.2.1 is a documentation address (TEST-NET-1): never a real host, even if the guard failed.
      const answer = await fetch(`${mock.baseUrl}/v1/payments/pay`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Client-Id": "SANDBOX_X", "Request-Time": "1714528800000", Signature: "algorithm=RSA256,keyVersion=1,signature=x" },
        body: JSON.stringify({ ...rawCard, paymentNotifyUrl: "http://192.0.2.1/notify" }),
      });
      expect(answer.status).toBe(200);
      for (let i = 0; i < 100 && !/notifyCapture: Request failed/.test(output); i++) await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(/notifyPayment: Request failed: .*connection to 192\.0\.2\.1 refused: this mock only connects to 127\.0\.0\.1/);
      expect(output).toMatch(/notifyCapture: Request failed: .*connection to 192\.0\.2\.1 refused/);
    } finally {
      await mock.stop();
    }
    expect(alive(pid)).toBe(false);
    expect(await accepts(mock.port)).toBe(false);
    await mock.stop(); // a second stop is harmless
  });
});

test("the mock command (`npm run mock`) serves, and Ctrl-C stops it cleanly with Prism gone", async () => {
  const port = await freePort();
  // A process group of its own, signalled as a whole, like a terminal's Ctrl-C.
  const cli = spawn(resolve(root, "node_modules", ".bin", "tsx"), ["scripts/mock.ts", "--port", String(port)], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  cli.stdout.on("data", (c) => (output += c));
  cli.stderr.on("data", (c) => (output += c));
  const exited = new Promise<number | null>((done) => cli.once("exit", (code) => done(code)));
  try {
    for (let i = 0; i < 300 && !output.includes("listening on"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`listening on http://127.0.0.1:${port}`);
    expect(await accepts(port)).toBe(true);
    process.kill(-cli.pid!, "SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("Mock stopped.");
    expect(await accepts(port)).toBe(false);
  } finally {
    if (cli.exitCode === null) process.kill(-cli.pid!, "SIGKILL");
  }
});
