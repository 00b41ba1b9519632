// Drive VS Code (code-server) in Debian's chromium: open a file, open the Problems panel,
// and wait until a bklint diagnostic (a BKnnn code) is listed. Exit 0 on success.
// Run by vscode_code_server.sh with NODE_PATH pointing at an installed playwright-core.
'use strict';
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    args[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  for (const key of ['url', 'file', 'browser', 'profile', 'screenshot']) {
    if (!args[key]) throw new Error(`missing --${key}`);
  }
  args.timeout = Number(args.timeout ?? 90000);
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const context = await chromium.launchPersistentContext(args.profile, {
    executablePath: args.browser,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  const deadline = Date.now() + args.timeout;
  const left = () => Math.max(1000, deadline - Date.now());
  try {
    await page.goto(args.url, { waitUntil: 'domcontentloaded', timeout: left() });
    await page.locator('.monaco-workbench').waitFor({ timeout: left() });
    console.log('workbench loaded');

    // Open the file from the Explorer (shown for a folder), else through Quick Open.
    const item = page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${args.file}"]`).first();
    try {
      await item.waitFor({ timeout: 20000 });
      await item.dblclick();
    } catch {
      await page.keyboard.press('Control+P');
      await page.keyboard.type(args.file);
      await page.keyboard.press('Enter');
    }
    await page.locator(`.tabs-container .tab[aria-label*="${args.file}"]`).first().waitFor({ timeout: left() });
    console.log(`opened ${args.file}`);

    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Shift+M');
    const panel = page.locator('.markers-panel');
    await panel.waitFor({ timeout: left() });
    console.log('problems panel open');

    const row = panel.locator('.monaco-list-row', { hasText: /BK\d{3}/ }).first();
    await row.waitFor({ timeout: left() });
    const rows = await panel.locator('.monaco-list-row').allInnerTexts();
    console.log('problems:');
    for (const text of rows) console.log(`  ${text.replace(/\s+/g, ' ').trim()}`);
    await page.screenshot({ path: args.screenshot });
    console.log(`screenshot: ${args.screenshot}`);

    if (args['expect-after-fix']) {
      // Run "bklint: Fix all" from the command palette and wait for the fixed text.
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('F1');
      await page.keyboard.type('bklint: Fix all');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'bklint: Fix all' }).first().waitFor({ timeout: left() });
      await page.keyboard.press('Enter');
      await page.locator('.monaco-editor .view-lines', { hasText: args['expect-after-fix'] }).first().waitFor({ timeout: left() });
      console.log(`fix all: the editor now contains "${args['expect-after-fix']}"`);
    }
    console.log('1 passed, 0 failed');
  } catch (error) {
    const failed = args.failshot ?? '/tmp/bklint-e2e-failed.png';
    await page.screenshot({ path: failed }).catch(() => undefined);
    console.error(`e2e failed: ${error.message}\n(screenshot of the failure: ${failed})`);
    process.exitCode = 1;
  } finally {
    await context.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
