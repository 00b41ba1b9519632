// The built playground (dist/) in headless Chromium, served from 127.0.0.1: typing, findings,
// hover, rule docs, quick fix, fix all, a shared link, and no request leaving the machine.
// Needs `npm run build` first and Debian's chromium (or $CHROMIUM).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launch } from "../scripts/browser.mjs";
import { DIST, serve } from "../scripts/serve.mjs";
import { decodeFragment, toBase64Url } from "../src/fragment.js";

// Starting Pyodide on a busy 2-core machine can take half a minute.
const BOOT = 120_000;
const STEP = 30_000;

let server;
let url;
let browser;
let page;

before(async () => {
  assert.ok(existsSync(join(DIST, "index.html")), "run `npm run build` first");
  ({ server, url } = await serve(DIST));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(hash = "") {
  const p = await browser.context.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  await p.goto(`${url}index.html${hash}`);
  await p.waitForSelector("body[data-linted]", { timeout: BOOT }).catch(async (e) => {
    throw new Error(`no findings: ${e.message}; status: ${await p.locator("#status").textContent()}; ${errors}`);
  });
  return p;
}

const row = (p, code) => p.locator(`#findings tbody tr[data-code="${code}"]`);
const editorText = (p) =>
  p.evaluate(() => Array.from(document.querySelectorAll(".cm-content .cm-line"), (l) => l.textContent).join("\n"));

// Where a word of the editor's text is on the screen (the TOML mode does not wrap keys in elements).
const wordBox = (p, word) =>
  p.evaluate((w) => {
    const walker = document.createTreeWalker(document.querySelector(".cm-content"), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.textContent.indexOf(w);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(n, at);
      range.setEnd(n, at + w.length);
      const { x, y, width, height } = range.getBoundingClientRect();
      return { x, y, width, height };
    }
    throw new Error(`${w} is not in the editor`);
  }, word);

const CONFIG = '[registry.docker.io]\n  mirrors = ["mirror.gcr.io"]\n\n[worker.oci]\n  max_parallelism = 4\n';

test("typing a config shows its findings as squiggles and in the list", { timeout: BOOT + 4 * STEP }, async () => {
  page = await open("#config="); // an empty editor
  assert.equal(await page.locator("#findings tbody tr").count(), 0);
  await page.locator(".cm-content").click();
  await page.keyboard.insertText(CONFIG);
  await row(page, "BK101").waitFor({ timeout: STEP });
  await row(page, "BK102").waitFor({ timeout: STEP });
  const bk101 = await row(page, "BK101").locator("td").allTextContents();
  assert.equal(bk101[0], "BK101");
  assert.equal(bk101[1], "unknown-key");
  assert.equal(bk101[2], "warning");
  assert.equal(bk101[3], "5");
  assert.match(bk101[4], /did you mean max-parallelism/);
  assert.ok((await page.locator(".cm-lintRange-warning").count()) >= 1, "a warning squiggle");
  assert.ok((await page.locator(".cm-lintRange-error").count()) >= 1, "an error squiggle");

  // Keystrokes (not a paste) lint again.
  await page.keyboard.press("Control+End");
  await page.keyboard.type("shm-size = 1");
  await page.locator("#findings tbody tr[data-code=BK101] td.message", { hasText: "shm-size" }).waitFor({ timeout: STEP });
  for (let i = 0; i < "shm-size = 1".length; i++) await page.keyboard.press("Backspace");
  await page.locator("#findings tbody tr[data-code=BK101] td.message", { hasText: "shm-size" }).waitFor({ state: "detached", timeout: STEP });
});

test("a quick fix and Fix all go through the engine's fixer", { timeout: 3 * STEP }, async () => {
  await row(page, "BK101").locator("button.fix").click();
  await row(page, "BK101").waitFor({ state: "detached", timeout: STEP });
  assert.equal(await editorText(page), CONFIG.replace("max_parallelism", "max-parallelism"));
  await row(page, "BK102").waitFor({ timeout: STEP });

  await page.locator("#fix-all").click();
  await row(page, "BK102").waitFor({ state: "detached", timeout: STEP });
  assert.equal(
    await editorText(page),
    CONFIG.replace("max_parallelism", "max-parallelism").replace("registry.docker.io", 'registry."docker.io"'),
  );
  // The edited config is in the link, and only after the #.
  const shown = await editorText(page);
  const linked = async () => decodeFragment(await page.evaluate(() => location.hash)).config;
  for (let waited = 0; (await linked()) !== shown && waited < STEP; waited += 100) await page.waitForTimeout(100);
  assert.equal(await linked(), shown);
});

test("hover shows the language server's docs; a code opens its rule documentation", { timeout: 3 * STEP }, async () => {
  const key = await wordBox(page, "mirrors");
  await page.mouse.move(key.x + key.width / 2, key.y + key.height / 2);
  const tip = page.locator(".cm-tooltip .hover");
  await tip.waitFor({ timeout: STEP });
  assert.match(await tip.textContent(), /registry\."docker\.io"\.mirrors/);
  assert.match(await tip.textContent(), /Pull-only mirrors/);

  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("debug = true");
  await page.keyboard.press("Enter");
  await row(page, "BK401").locator("button.code-link").click();
  const docs = page.locator("#rule-doc");
  await docs.locator("h1", { hasText: /^BK401 / }).waitFor({ timeout: STEP });
  assert.match(await docs.textContent(), /Why/);
  await page.close();
});

test("a shared link opens its config, target version and flags", { timeout: BOOT + 2 * STEP }, async () => {
  const config = "[worker.oci]\n  max_parallelism = 4\n";
  page = await open(`#config=${toBase64Url(config)}&target-version=v0.12&flags=${encodeURIComponent("--no-such-flag")}`);
  await row(page, "BK101").waitFor({ timeout: STEP });
  await row(page, "BK502").waitFor({ timeout: STEP });
  assert.equal(await editorText(page), config);
  assert.equal(await page.locator("#target").inputValue(), "v0.12");
  assert.equal(await page.locator("#flags").inputValue(), "--no-such-flag");
  assert.match(await page.locator("#privacy").textContent(), /never send to a server/);
  assert.match(await page.locator("#skipped").textContent(), /BK301.*cannot read your files/s);
  await page.close();
});

test("no request left 127.0.0.1", () => {
  assert.deepEqual(browser.offMachine, []);
  const origin = new URL(url).origin;
  const stray = browser.requests.filter((r) => !r.startsWith(`${origin}/`) && !r.startsWith("data:"));
  assert.deepEqual(stray, []);
  assert.ok(browser.requests.some((r) => r.endsWith("/pyodide/pyodide.asm.wasm")), "the runtime came from dist/");
  assert.ok(browser.requests.some((r) => /\/py\/bklint-.*\.whl$/.test(r)), "bklint's wheel came from dist/");
});
