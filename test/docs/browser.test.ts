// Opens the built reference (docs/site/index.html) in Chromium (./chromium.ts: CHROMIUM_PATH,
// Debian's /usr/bin/chromium, or the one inside the devDependency @sparticuz/chromium), served from 127.0.0.1,
// and checks what a reader needs: every operation and notification listed with its request
// schema, examples that open, no console errors, and no request to any other host.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serveDocs, type DocsServer } from "../../scripts/docs-server.js";
import { ensureReference, referencePaths } from "../../scripts/reference.js";
import { root } from "../helpers/paths.js";
import { findChromium } from "./chromium.js";

const SCREENSHOT = join(root, "test-results", "docs.png");

const spec = JSON.parse(readFileSync(referencePaths.spec, "utf8"));
const OPERATIONS = ["consult", "pay", "cancel", "capture", "inquiryPayment"];
const NOTIFICATIONS = ["notifyPayment", "notifyCapture", "notifyDispute"];

interface Entry {
  operationId: string;
  summary: string;
  /** Redoc's section id, also the page's hash route: `payments/pay`. */
  section: string;
  group: "Payments" | "Notifications";
  requestProperties: string[];
}

function requestProperties(op: any): string[] {
  const ref: string = op.requestBody.content["application/json"].schema.$ref;
  const schema = spec.components.schemas[ref.split("/").pop()!];
  return Object.keys(schema.properties ?? {});
}

const entries: Entry[] = [
  ...OPERATIONS.map((id) => {
    const op = Object.values<any>(spec.paths).find((item) => item.post?.operationId === id)?.post;
    return { operationId: id, summary: op.summary, section: `payments/${id.toLowerCase()}`, group: "Payments" as const, requestProperties: requestProperties(op) };
  }),
  ...NOTIFICATIONS.map((id) => {
    const op = spec.webhooks[id].post;
    return { operationId: id, summary: op.summary, section: `notifications/${id.toLowerCase()}`, group: "Notifications" as const, requestProperties: requestProperties(op) };
  }),
];

let server: DocsServer;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const requested = new Set<string>();
const consoleErrors: string[] = [];

/** The host a request really goes to; blob: URLs belong to the page's own origin. */
function hostOf(url: string): string {
  if (url.startsWith("data:")) return "127.0.0.1";
  return new URL(url.startsWith("blob:") ? url.slice("blob:".length) : url).hostname;
}

beforeAll(async () => {
  const browser = await findChromium();
  await ensureReference();
  server = await serveDocs(referencePaths.docs, { host: "127.0.0.1", port: 0 });
  userDataDir = mkdtempSync(join(tmpdir(), "antom-chromium-"));
  // A new, empty profile: no cached state, and nothing from a previous run.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browser.executablePath,
    env: { ...process.env, ...browser.env },
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // Record every request; let only 127.0.0.1 through, so the test itself never reaches further.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    requested.add(url);
    return hostOf(url) === "127.0.0.1" ? route.continue() : route.abort("blockedbyclient");
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (request) => requested.add(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(server.url, { waitUntil: "load" });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

const menu = () => page.locator('[data-component-name="Menu/Menu"]');

async function open(entry: Entry): Promise<void> {
  // Go where the sidebar's link points (the sidebar itself is checked in its own test): its
  // groups toggle on click, so walking them would make each test depend on the one before.
  await page.evaluate((hash) => {
    // Runs in the page; the test's own types have no DOM library.
    (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
  }, `#/${entry.section}`);
  await page.locator(`[id="${entry.section}"]`).waitFor();
}

describe("API reference in Chromium", () => {
  test("the sidebar lists the five operations and the three notifications", async () => {
    expect(entries.map((e) => e.operationId)).toEqual([...OPERATIONS, ...NOTIFICATIONS]);
    for (const group of ["Payments", "Notifications"]) await menu().getByText(group, { exact: true }).click();
    const labels = (await menu().locator('[data-testid="menu-item-label"]').allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
    for (const entry of entries) {
      expect(labels, `${entry.operationId} ("${entry.summary}") in the sidebar`).toContainEqual(expect.stringContaining(entry.summary));
    }
    for (const entry of entries) {
      await expect.poll(() => menu().locator(`a[href="#/${entry.section}"]`).count(), { message: `link to #/${entry.section}` }).toBe(1);
    }
  });

  test.each(entries.map((e) => [e.operationId, e] as const))("%s renders its request body schema", async (_id, entry) => {
    await open(entry);
    expect(page.url()).toContain(`#/${entry.section}`);
    const body = page.locator(`[id="${entry.section}/request/body"]`);
    await expect.poll(() => body.innerText()).toContain("application/json");
    const text = await body.innerText();
    expect(entry.requestProperties.length).toBeGreaterThan(0);
    for (const property of entry.requestProperties) expect(text, `${entry.operationId} request body shows ${property}`).toContain(property);
  });

  test("a response example of pay can be opened in the samples panel", async () => {
    const pay = entries.find((e) => e.operationId === "pay")!;
    const examples = Object.values<any>(spec.paths["/v1/payments/pay"].post.responses["200"].content["application/json"].examples);
    const declined = examples.find((x) => x.value?.result?.resultStatus === "F" && x !== examples[0]);
    expect(declined, "pay has a failure example").toBeDefined();
    await open(pay);
    await expect.poll(() => page.locator(`[id="${pay.section}/request/body"]`).innerText()).toContain("paymentRequestId");
    const panel = page
      .locator(`[id="${pay.section}"] [data-component-name="Panel/Panel"]`)
      .filter({ has: page.locator('[data-component-name="Panel/PanelHeaderTitle"]', { hasText: "Response" }) });
    const picker = panel.locator('[data-component-name="Dropdown/Dropdown"] > button').first();
    await expect.poll(() => picker.innerText()).toBe(examples[0].summary);
    await picker.click();
    await page.locator('[role="menuitem"]:visible').filter({ hasText: declined.summary }).first().click();
    await expect.poll(() => picker.innerText()).toBe(declined.summary);
    const sample = await panel.locator('[data-component-name="JsonViewer/JsonViewer"]').innerText();
    expect(sample).toContain(`"${declined.value.result.resultCode}"`);
    expect(sample).toContain(`"resultStatus": "F"`);
    mkdirSync(resolve(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe("PNG");
  });

  test("search snippets keep the spaces of line breaks and table cells", async () => {
    // The sidebar's search box opens the search dialog, whose input has the focus.
    await page.locator('[data-testid="search-trigger"]').click();
    await page.keyboard.type("safe and");
    try {
      await expect.poll(() => page.locator("body").innerText()).toContain("Resending the same request is safe and returns the same outcome");
      expect(await page.locator("body").innerText()).not.toMatch(/andreturns|Afteran /);
    } finally {
      await page.keyboard.press("Escape");
    }
  });

  test("result codes in tables wrap only after an underscore, never inside a word", async () => {
    const pay = entries.find((e) => e.operationId === "pay")!;
    await open(pay);
    const codes = page.locator(`[id="${pay.section}"] td code`).filter({ hasText: /^[A-Z0-9]+(_[A-Z0-9]+)+$/ });
    await expect.poll(() => codes.count()).toBeGreaterThan(10);
    // Each piece between the break points is a text node; a piece on two lines has two boxes.
    const split = await codes.evaluateAll((elements) =>
      elements.flatMap((code: any) =>
        [...code.childNodes]
          .filter((n: any) => n.nodeType === 3)
          .filter((n: any) => {
            const range = (globalThis as any).document.createRange();
            range.selectNodeContents(n);
            return range.getClientRects().length > 1;
          })
          .map(() => code.textContent),
      ),
    );
    expect(split).toEqual([]);
    // Some codes did wrap (at an underscore), so the check above had something to hold.
    const heights = await codes.evaluateAll((elements) => elements.map((e: any) => e.getClientRects().length));
    expect(Math.max(...heights)).toBeGreaterThan(1);
  });

  test("a guide link in the reference opens the guide as an HTML page of the site", async () => {
    const link = page.locator('a[href="signing.html"]').first();
    await link.scrollIntoViewIfNeeded();
    await link.click();
    await page.waitForURL(/\/site\/signing\.html$/);
    // Rendered as a page, not raw Markdown shown as text.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { contentType: string } }).document.contentType)).toBe("text/html");
    await expect.poll(() => page.locator("main h1").innerText()).toMatch(/sign/i);
    expect(await page.locator('nav a[aria-current="page"]').innerText()).toBe(await page.locator("main h1").innerText());
    // Back to the reference from the guide's sidebar.
    await page.locator("nav a", { hasText: "API reference" }).click();
    await page.waitForURL(/\/site\/index\.html$/);
    await page.locator('[data-component-name="Menu/Menu"]').waitFor();
  });

  test("the sandbox's control API is rendered in the same site, reached from a guide's sidebar", async () => {
    await page.goto(`${server.url}sandbox.html`, { waitUntil: "load" });
    await page.locator("nav a", { hasText: "Sandbox control API" }).click();
    await page.waitForURL(/\/site\/sandbox-api\.html$/);
    await menu().waitFor();
    // Its sidebar has the control API's groups, and the page carries every operation.
    const groups = (await menu().locator('[data-testid="menu-item-label"]').allInnerTexts()).map((t) => t.trim());
    expect(groups).toEqual(expect.arrayContaining(["Identity", "Clock", "Payments", "Notifications"]));
    const html = await page.content();
    for (const summary of ["Register a merchant", "Move a merchant's clock forward", "Raise a dispute against a payment"]) expect(html).toContain(summary);
    await page.goto(server.url, { waitUntil: "load" });
  });

  test("no console errors, and every request stays on 127.0.0.1", async () => {
    expect([...requested]).toContain(server.url);
    expect([...requested].filter((url) => hostOf(url) !== "127.0.0.1")).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
