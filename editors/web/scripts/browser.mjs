// Headless Chromium for the browser test and bench/web_load.mjs: Debian's chromium (or
// $CHROMIUM) driven by playwright-core, with a fresh profile every time (a cold cache), and
// every request that is not for 127.0.0.1 recorded and refused.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** {context, offMachine, requests, close}: `offMachine` lists the URLs that tried to leave 127.0.0.1. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "bklint-web-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 720 },
  });
  const requests = [];
  const offMachine = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    requests.push(url);
    const { protocol, hostname } = new URL(url);
    if ((protocol === "http:" || protocol === "https:") && hostname !== "127.0.0.1") {
      offMachine.push(url);
      return route.abort("blockedbyclient");
    }
    return route.continue();
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, requests, offMachine, close };
}
