// Drive VS Code (code-server) in Debian's chromium through what a user does with the bklint
// extension; run by vscode_code_server.sh with NODE_PATH pointing at playwright-core.
// Prints one line per check and "N passed, N failed" at the end; exits 1 on any failure.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    args[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  for (const key of ['base', 'cargo', 'workspace', 'browser', 'profile', 'shots', 'marker', 'logs']) {
    if (!args[key]) throw new Error(`missing --${key}`);
  }
  args.timeout = Number(args.timeout ?? 120000);
  return args;
}

/** Whether a command line runs bklint: the bundled launcher, `-m bklint.linter`, or a bklint executable. */
const isBklint = (argv) => argv.some((arg) => /lsp_server\.py$/.test(arg) || arg === 'bklint.linter' || path.basename(arg) === 'bklint');

/** Processes of this run (by the marker in their environment) whose command line passes `test`. */
function runProcesses(marker, test) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!environ.includes(`BKLINT_E2E_RUN=${marker}`)) continue;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (test(argv)) found.push({ pid, argv });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Lines of the extension host logs saying the bklint extension was activated. */
function activations(logs) {
  const lines = [];
  const walk = (dir) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.log')) {
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          if (/_doActivateExtension bklint\.bklint\b/.test(line)) lines.push(line.trim());
        }
      }
    }
  };
  walk(logs);
  return lines;
}

const EXPECTED_CHECKS = 11;
const results = [];
async function check(name, body) {
  try {
    await body();
    results.push([name, true]);
    console.log(`ok   ${name}`);
  } catch (error) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${error.message.split('\n')[0]}`);
    throw error;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const shot = (name) => path.join(args.shots, name);
  const context = await chromium.launchPersistentContext(args.profile, {
    executablePath: args.browser,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  const deadline = Date.now() + args.timeout;
  const left = () => Math.max(1000, deadline - Date.now());

  const editorText = () => page.locator('.monaco-editor .view-lines').first().innerText().then((t) => t.replace(/\u00a0/g, ' '));
  const waitForEditorText = async (needle) => {
    const until = Date.now() + left();
    while (Date.now() < until) {
      if ((await editorText()).includes(needle)) return;
      await page.waitForTimeout(200);
    }
    throw new Error(`the editor never showed "${needle}"; it shows:\n${await editorText()}`);
  };
  const openFolder = async (folder) => {
    await page.goto(`${args.base}?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: left() });
    await page.locator('.monaco-workbench').waitFor({ timeout: left() });
  };
  const openFile = async (name) => {
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${name}"]`).first();
    await row.waitFor({ timeout: left() });
    await row.dblclick();
    await page.locator(`.tabs-container .tab[aria-label*="${name}"]`).first().waitFor({ timeout: left() });
    await page.locator('.monaco-editor .view-lines').first().click();
  };
  const command = async (title) => {
    await page.keyboard.press('F1');
    await page.keyboard.type(title);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: left() });
    await page.keyboard.press('Enter');
  };
  const goTo = async (line, column) => {
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget').waitFor({ timeout: left() });
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
  };
  const toasts = () => page.locator('.notifications-toasts .notification-toast').allInnerTexts();
  const bklintStatus = () => page.locator('.statusbar-item', { hasText: /bklint/ });

  try {
    // -- 1. a workspace without buildkitd files: nothing happens --------------------------------
    await openFolder(args.cargo);
    await openFile('Cargo.toml');
    // Give the extension host the time it would need to activate and start a server.
    await page.locator('.statusbar').waitFor({ timeout: left() });
    await page.waitForTimeout(8000);
    await check('Cargo.toml: the extension is not activated', async () => {
      const lines = activations(args.logs);
      if (lines.length > 0) throw new Error(`activated: ${lines.join(' | ')}`);
    });
    await check('Cargo.toml: no bklint process started', async () => {
      const found = runProcesses(args.marker, isBklint);
      if (found.length > 0) throw new Error(found.map((p) => p.argv.join(' ')).join(' | '));
    });
    await check('Cargo.toml: no message and no bklint status bar item', async () => {
      const shown = await toasts();
      if (shown.length > 0) throw new Error(`notifications: ${shown.join(' | ')}`);
      if ((await bklintStatus().count()) > 0) throw new Error('a bklint status bar item is shown');
    });
    await page.screenshot({ path: shot('cargo.png') });

    // -- 2. a workspace with a bad buildkitd.toml -----------------------------------------------
    await openFolder(args.workspace);
    await openFile('buildkitd.toml');

    await check('diagnostics in the Problems panel', async () => {
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      await panel.waitFor({ timeout: left() });
      await panel.locator('.monaco-list-row', { hasText: /BK101/ }).first().waitFor({ timeout: left() });
      const rows = (await panel.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      for (const code of ['BK101', 'BK004', 'BK402']) {
        if (!rows.some((row) => row.includes(code))) throw new Error(`${code} missing from: ${rows.join(' | ')}`);
      }
      console.log(`     ${rows.join('\n     ')}`);
      await page.screenshot({ path: shot('problems.png') });
    });

    await check('the bundled server runs, with no bklint on PATH and no bklint.path', async () => {
      const servers = runProcesses(args.marker, isBklint);
      if (servers.length !== 1) throw new Error(`expected one bundled server, found ${JSON.stringify(servers)}`);
      const argv = servers[0].argv;
      if (!argv.includes('-S') || !argv.some((a) => a.endsWith('/bundled/tool/lsp_server.py')) || argv.at(-2) !== 'lsp') {
        throw new Error(`unexpected command line ${argv.join(' ')}`);
      }
      console.log(`     ${argv.join(' ')}`);
    });

    await check('status bar item: server state and version; a click opens the logs', async () => {
      const item = bklintStatus().first();
      await item.filter({ hasText: /bklint \d+\.\d+\.\d+/ }).waitFor({ timeout: left() });
      const label = (await item.innerText()).trim();
      await item.hover();
      const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: /server running/ }).first();
      await hover.waitFor({ timeout: left() });
      const box = await page.locator('.statusbar').boundingBox();
      await page.screenshot({ path: shot('status-bar.png'), clip: { x: box.x + box.width - 700, y: box.y - 200, width: 700, height: 200 + box.height } });
      await page.screenshot({ path: shot('status-bar-full.png') });
      console.log(`     "${label}" / ${(await hover.innerText()).replace(/\s+/g, ' ')}`);
      await item.click();
      // The "bklint" output channel: the extension's log and the server's messages.
      await page.locator('.part.panel .monaco-editor .view-lines', { hasText: /\[Trace\s-\s.*\]\s(Sending|Received)/ }).first().waitFor({ timeout: left() });
      if ((await bklintStatus().count()) === 0) throw new Error('the status bar item went away when the logs opened');
    });

    await page.locator('.monaco-editor .view-lines').first().click();
    await check('hover on a key: type, default, flag and version', async () => {
      await goTo(3, 2); // debug = "yes"
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const hover = page.locator('.monaco-hover', { hasText: /Default/ }).first();
      await hover.waitFor({ timeout: left() });
      const text = (await hover.innerText()).replace(/\s+/g, ' ');
      for (const needle of ['debug', 'boolean', '--debug']) {
        if (!text.includes(needle)) throw new Error(`"${needle}" missing from the hover: ${text}`);
      }
      await page.screenshot({ path: shot('hover.png') });
      await page.keyboard.press('Escape');
    });

    await check('quick fix renames max_parallelism', async () => {
      await goTo(6, 3);
      await page.keyboard.press('Control+.');
      const action = page.locator('.action-widget .monaco-list-row', { hasText: 'rename to max-parallelism' }).first();
      await action.waitFor({ timeout: left() });
      await page.screenshot({ path: shot('quick-fix.png') });
      // The widget takes keys, not clicks: move the focus to the rename and apply it.
      for (let i = 0; i < 10 && !/\bfocused\b/.test((await action.getAttribute('class')) ?? ''); i++) {
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Enter');
      await waitForEditorText('max-parallelism = 4');
    });

    await check('completion leaves out keys already written', async () => {
      await goTo(7, 100);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('ma');
      const widget = page.locator('.suggest-widget');
      const offered = widget.locator('.monaco-list-row', { hasText: 'maxUsedSpace' }).first();
      // Ctrl+Space, retried: on a loaded machine a keystroke can land before the editor listens.
      for (let attempt = 0; ; attempt++) {
        await page.keyboard.press('Control+Space');
        try {
          await offered.waitFor({ timeout: attempt < 3 ? 15000 : left() });
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
          await page.keyboard.press('Escape');
        }
      }
      const labels = (await widget.locator('.monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim());
      if (labels.includes('max-parallelism')) throw new Error(`max-parallelism is offered again: ${labels.join(', ')}`);
      console.log(`     offered: ${labels.join(', ')}`);
      await page.screenshot({ path: shot('completion.png') });
      await page.keyboard.press('Escape');
      // Drop the half-typed key again.
      await page.keyboard.press('Control+Z');
      await page.keyboard.press('Control+Z');
    });

    await check('"Show rule documentation" renders the rule under the cursor as markdown', async () => {
      await goTo(3, 10); // the BK004 finding on "yes"
      await command('bklint: Show rule documentation');
      await page.locator('.tabs-container .tab', { hasText: /BK004/ }).first().waitFor({ timeout: left() });
      const until = Date.now() + left();
      let rendered;
      while (!rendered && Date.now() < until) {
        for (const frame of page.frames()) {
          const heading = await frame.locator('h1', { hasText: 'BK004' }).first().innerText({ timeout: 200 }).catch(() => undefined);
          if (heading) rendered = heading;
        }
        if (!rendered) await page.waitForTimeout(250);
      }
      if (!rendered) throw new Error('no rendered heading for BK004 in any frame');
      console.log(`     rendered: ${rendered}`);
      await page.screenshot({ path: shot('rule-docs.png') });
    });

    await check('"Fix all" applies the safe fixes', async () => {
      await page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
      await command('bklint: Fix all');
      await page.waitForTimeout(500);
      await page.keyboard.press('Control+Home'); // only the lines in view are in the page
      await waitForEditorText('reservedSpace = 1000');
    });
  } catch (error) {
    await page.screenshot({ path: shot('failed.png') }).catch(() => undefined);
    console.error(`e2e failed: ${error.stack ?? error.message}\n(screenshot: ${shot('failed.png')})`);
  } finally {
    await context.close();
  }
  const passed = results.filter(([, ok]) => ok).length;
  const failed = EXPECTED_CHECKS - passed; // a check never reached counts as failed
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
