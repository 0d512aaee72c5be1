// Starts one Prism mock for the whole test run, on a free port so it never collides with a mock
// started by `npm start`, and hands its base URL to the tests (`inject("mockBaseUrl")`). Any test
// may call it; a pay with paymentNotifyUrl gets its notifications only on 127.0.0.1.
import type { TestProject } from "vitest/node";
import { startMock, type RunningMock } from "../../scripts/mock.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the Prism mock, e.g. `http://127.0.0.1:41234`; operation paths go right after it. */
    mockBaseUrl: string;
  }
}

let mock: RunningMock | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // loopbackOnly: notifications to a paymentNotifyUrl off this machine are refused.
  mock = await startMock({ host: "127.0.0.1", port: 0, logLevel: "error", stdio: "ignore", loopbackOnly: true });
  project.provide("mockBaseUrl", mock.baseUrl);
  return async () => {
    await mock?.stop();
    mock = undefined;
  };
}
