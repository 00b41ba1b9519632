// Regenerate docs/playground.png from dist/: findings, a hover and a rule's documentation.
//   npm run build && node scripts/screenshot.mjs
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./browser.mjs";
import { DIST, serve } from "./serve.mjs";
import { toBase64Url } from "../src/fragment.js";

const out = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/playground.png");
const CONFIG = `# Pasted from an issue: why is there no mirror and no limit?
debug = true

[registry.docker.io]
  mirrors = ["mirror.gcr.io"]

[worker.oci]
  max_parallelism = 4
  gc = true
  reservedSpace = "10GB"

[[worker.oci.gcpolicy]]
  keepDuration = "48h"
  filters = ["type==source.local"]
`;

const { server, url } = await serve(DIST);
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(`${url}index.html#config=${toBase64Url(CONFIG)}`);
  await page.locator('#findings tr[data-code="BK101"]').waitFor({ timeout: 180_000 });
  await page.locator('#findings tr[data-code="BK101"] button.code-link').click();
  await page.locator("#rule-doc h1").waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.evaluate(() => {
    const walker = document.createTreeWalker(document.querySelector(".cm-content"), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.textContent.indexOf('"48h"');
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(n, at + 1);
      range.setEnd(n, at + 3);
      const r = range.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return null;
  });
  await page.mouse.move(box.x, box.y);
  await page.locator(".cm-tooltip .hover").waitFor();
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.close();
}
