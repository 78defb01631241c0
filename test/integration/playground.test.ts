/**
 * The playground page in a real browser (Debian's Chromium through playwright-core): running,
 * live diagnostics, streamed logs, sharing, args validation and keyboard-only use. Also takes
 * screenshots at desktop and phone sizes: into a temporary folder, or, with UPDATE_SCREENSHOTS=1,
 * over the README's in playground/screenshots/ (so a test run leaves the work tree as it was).
 */

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl } from "./client";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(dirname(fileURLToPath(import.meta.url)), "../../playground/screenshots")
  : join(tmpdir(), "functions-do-screenshots");

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The playground tests need Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

async function open(path = "/", viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${baseUrl()}${path}`);
  await page.waitForSelector("body[data-ready]");
  return page;
}

/** Replaces the editor's text as a paste would (no auto-closed brackets). */
async function setCode(page: Page, code: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(code);
}

function editorText(page: Page): Promise<string> {
  return page.$$eval(".cm-content .cm-line", (lines) => lines.map((line) => line.textContent).join("\n"));
}

/** The 1-based line holding the first element matching `selector`, once there is one. */
async function lineOf(page: Page, selector: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = await page.$$eval(
      ".cm-content .cm-line",
      (lines, inner) => lines.findIndex((line) => line.querySelector(inner)),
      selector,
    );
    if (index >= 0) return index + 1;
    if (Date.now() > deadline) throw new Error(`No ${selector} in the editor after ${timeoutMs} ms.`);
    await page.waitForTimeout(100);
  }
}

describe("the playground", () => {
  it("runs typed code on Ctrl+Enter and shows the result", async () => {
    const page = await open();
    await page.click(".cm-content");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("return 6 * 7");
    await page.keyboard.press("Control+Enter");
    await page.waitForSelector(".result-json");
    expect(await page.textContent(".result-json")).toBe("42");
    expect(await page.textContent("#timings")).toMatch(/compile \d+ ms.*run \d+ ms.*total \d+ ms/);
    await page.close();
  });

  it("marks the line of a syntax error", async () => {
    const page = await open();
    await setCode(page, "const a = 1;\nconst b = ;\nreturn a + b;");
    expect(await lineOf(page, ".cm-lintRange-error")).toBe(2);
    await page.close();
  });

  it("shows a type error as a warning diagnostic", async () => {
    const page = await open();
    await setCode(page, 'const ok = 1;\nconst n: number = "seven";\nreturn n;');
    expect(await lineOf(page, ".cm-lintRange-warning")).toBe(2);
    await page.close();
  });

  it("shows the first log while the run is still going", async () => {
    const page = await open();
    await page.selectOption("#example", { label: "Logging over 2 seconds" });
    await page.click("#run");
    await page.waitForSelector(".log");
    // The first log is at hand and the run has not answered yet: no result, no timings.
    expect(await page.textContent("#status")).toBe("Running…");
    expect(await page.$(".result-json")).toBeNull();
    await page.waitForSelector(".result-json", { timeout: 10_000 });
    expect(await page.$$(".log")).toHaveLength(5);
    expect(await page.textContent(".result-json")).toBe('"done"');
    await page.screenshot({ path: join(SCREENSHOTS, "desktop.png") });
    await page.close();
  });

  it("shares a snippet whose link reopens the same code and args", async () => {
    const page = await open();
    const code = "// shared\nreturn args.n * 2;";
    await setCode(page, code);
    await page.fill("#args", '{"n": 21}');
    await page.click("#share");
    const link = await page.waitForSelector("#share-link");
    const url = await link.getAttribute("href");
    expect(url).toMatch(/\/s\/[0-9a-f]{64}$/);
    expect(new URL(page.url()).pathname).toBe(new URL(url ?? "").pathname);
    await page.close();

    const reopened = await open(new URL(url ?? "").pathname);
    expect(await editorText(reopened)).toBe(code);
    expect(JSON.parse(await reopened.inputValue("#args"))).toEqual({ n: 21 });
    await reopened.close();
  });

  it("rejects args that are not JSON and sends nothing", async () => {
    const page = await open();
    const sent: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/execute")) sent.push(request.url());
    });
    await page.fill("#args", "{name: world}");
    await page.click("#run");
    expect(await page.textContent("#args-error")).toMatch(/^Args must be JSON: .+Nothing was sent\.$/);
    expect(await page.getAttribute("#args", "aria-invalid")).toBe("true");
    await page.waitForTimeout(300);
    expect(sent).toEqual([]);
    await page.close();
  });

  it("sends the saved API key and points at the key field on a 401", async () => {
    const page = await open();
    const sent: (string | undefined)[] = [];
    // Local runs have no keys configured, so the service's 401 is played by the browser here.
    await page.route("**/execute", async (route) => {
      sent.push(route.request().headers().authorization);
      await route.fulfill({
        status: 401,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "unauthorized", message: "A valid API key is required." } }),
      });
    });
    await page.fill("#api-key", "  key-123 ");
    await page.press("#api-key", "Tab");
    await page.click("#run");
    await page.waitForFunction("document.activeElement?.id === 'api-key'");
    expect(sent).toEqual(["Bearer key-123"]);
    expect(await page.textContent("#status")).toMatch(/API key/);
    await page.reload();
    await page.waitForSelector("body[data-ready]");
    expect(await page.inputValue("#api-key")).toBe("key-123");
    await page.close();
  });

  it("can be used with the keyboard alone: Tab reaches Run and Enter runs", async () => {
    const page = await open("/", { width: 390, height: 844 });
    let focused = "";
    for (let presses = 0; presses < 15 && focused !== "run"; presses++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate<string>('document.activeElement?.id ?? ""');
    }
    expect(focused).toBe("run");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".result-json");
    expect(await page.textContent(".result-json")).toBe('"Hello, world!"');
    await page.screenshot({ path: join(SCREENSHOTS, "phone.png") });
    await page.close();
  });
});
