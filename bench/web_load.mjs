// How long until the browser playground shows its first findings, from a cold start?
//
//   (cd editors/web && npm ci && npm run build) && node bench/web_load.mjs [--runs N]
//
// Serves editors/web/dist on 127.0.0.1 and opens index.html#config=<the README's example>
// in headless Chromium with a fresh profile (empty cache) each run; the time is from
// navigation start to the moment BK101 is on the page. Baseline, measured interleaved in the
// same run: a bare page that starts the same Pyodide runtime from the same server and runs
// `1 + 1`, so the ratio is what bklint adds to starting Python in the browser. Also reports a
// warm reload (same profile) and the size of dist/. Medians; the machine is shared and noisy.
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "../editors/web/scripts/browser.mjs";
import { DIST, serve } from "../editors/web/scripts/serve.mjs";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;
const CONFIG = "[worker.oci]\n  max_parallelism = 4\n";
const BASELINE = `<!doctype html><meta charset="utf-8"><title>bare Pyodide</title>
<script type="module">
import { loadPyodide } from "./app/pyodide/pyodide.module.js";
const py = await loadPyodide({ indexURL: new URL("./app/pyodide/", location.href).href, packages: [] });
py.runPython("1 + 1");
performance.mark("ready");
document.body.dataset.ready = "true";
</script>`;

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((n, e) => n + size(join(p, e)), 0) : statSync(p).size);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mark = (page, name) => page.evaluate((n) => performance.getEntriesByName(n)[0].startTime, name);

// One root: the playground under app/, the baseline page beside it, both from one origin.
const root = mkdtempSync(join(tmpdir(), "bklint-web-bench-"));
symlinkSync(DIST, join(root, "app"));
writeFileSync(join(root, "baseline.html"), BASELINE);
const { server, url } = await serve(root);

async function playground() {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${url}app/index.html#config=${Buffer.from(CONFIG).toString("base64url")}`);
    await page.locator('#findings tr[data-code="BK101"]').waitFor({ timeout: 180_000 });
    const cold = await mark(page, "bklint-first-findings");
    const timings = await page.evaluate(() => window.bklintTimings);
    await page.reload();
    await page.locator('#findings tr[data-code="BK101"]').waitFor({ timeout: 180_000 });
    const warm = await mark(page, "bklint-first-findings");
    if (browser.offMachine.length) throw new Error(`requests left the machine: ${browser.offMachine}`);
    return { cold, warm, ...timings };
  } finally {
    await browser.close();
  }
}

async function baseline() {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${url}baseline.html`);
    await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 180_000 });
    return await mark(page, "ready");
  } finally {
    await browser.close();
  }
}

const seen = { cold: [], warm: [], runtime: [], bklint: [], base: [] };
try {
  for (let i = 0; i < runs; i++) {
    seen.base.push(await baseline());
    const r = await playground();
    for (const k of ["cold", "warm", "runtime", "bklint"]) seen[k].push(r[k]);
    console.log(`run ${i + 1}: first findings ${(r.cold / 1000).toFixed(2)} s cold, ${(r.warm / 1000).toFixed(2)} s warm ` +
      `(Pyodide start ${(r.runtime / 1000).toFixed(2)} s, bklint install+import ${(r.bklint / 1000).toFixed(2)} s); ` +
      `bare Pyodide ${(seen.base.at(-1) / 1000).toFixed(2)} s`);
  }
} finally {
  server.close();
  rmSync(root, { recursive: true, force: true });
}
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\ncold load to first findings: ${s(median(seen.cold))} (median of ${runs}); warm reload: ${s(median(seen.warm))}`);
console.log(`baseline, bare Pyodide ready: ${s(median(seen.base))}; ratio ${(median(seen.cold) / median(seen.base)).toFixed(2)}x`);
console.log(`dist/: ${(size(DIST) / 1048576).toFixed(1)} MiB`);
