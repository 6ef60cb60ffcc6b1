// Benchmark: the console's first load on loopback in Debian's Chromium, cold cache each time.
// Prints medians for (a) the sign-in form ready and (b) a signed-in sandboxes list rendered
// (list request included). Goal: ≤ 500 ms. Needs the console and the cairn CLI built. Figures
// are wall-clock in a real browser: on a loaded machine (see `uptime`) they grow with the load.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CAIRN_CHROMIUM ?? "/usr/bin/chromium";
const RUNS = Number(process.env.RUNS ?? 15);
const GOAL_MS = 500;
const KEY = "bench-console-key-0123456789";
const CLI = new URL("../../cairn/dist/cli.js", import.meta.url).pathname;
const DIST = new URL("../dist/", import.meta.url).pathname;

if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  process.exit(1);
}

const server = spawn(
  process.execPath,
  [
    CLI,
    "serve",
    "--memory",
    "--port",
    "0",
    "--api-key",
    KEY,
    "--console-dir",
    DIST,
    "--audit-log",
    "off",
  ],
  { env: { ...process.env, CAIRN_API_KEY: "" }, stdio: ["ignore", "pipe", "inherit"] },
);
const url = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  server.once("exit", (code) => reject(new Error(`cairn serve exited with ${code}`)));
});

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});

// A few sandboxes, so the signed-in load lists something.
for (let i = 0; i < 20; i++) {
  await fetch(`${url}/v1/sandboxes`, {
    method: "POST",
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: `bench-${i}` }),
  });
}

/**
 * Milliseconds from navigation start until `selector` is in the page, in a fresh context. The
 * moment is taken in the page (a MutationObserver installed before any script), not when the
 * test process hears of it: the DevTools round trips would add their own delay.
 */
async function coldLoad(selector, signedIn) {
  const context = await browser.newContext();
  await context.addInitScript(
    ({ key, selector, signedIn }) => {
      if (signedIn) {
        sessionStorage.setItem("cairn.console.apiKey", key);
        sessionStorage.setItem("cairn.console.role", "tenant");
      }
      new MutationObserver((_, observer) => {
        if (document.querySelector(selector)) {
          window.__ready = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    },
    { key: KEY, selector, signedIn },
  );
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForSelector(selector);
  const nav = await page.evaluate(() => {
    const entry = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    const script = resources.find((r) => r.name.endsWith(".js"));
    const list = resources.find((r) => r.name.includes("/v1/sandboxes?"));
    return {
      ms: window.__ready,
      ttfb: entry.responseStart,
      domContentLoaded: entry.domContentLoadedEventEnd,
      script: script ? script.responseEnd : 0,
      api: list ? list.responseEnd - list.startTime : 0,
    };
  });
  await context.close();
  return nav;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

await coldLoad("#api-key", false); // warm the server and the browser process once
for (const [label, selector, signedIn] of [
  ["sign-in form ready", "#api-key", false],
  ["signed in, sandboxes listed", "table.list tbody tr", true],
]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await coldLoad(selector, signedIn));
  const ms = median(runs.map((r) => r.ms));
  const ttfb = median(runs.map((r) => r.ttfb));
  const dcl = median(runs.map((r) => r.domContentLoaded));
  const script = median(runs.map((r) => r.script));
  const api = median(runs.map((r) => r.api));
  console.log(
    `console first load, ${label}: median ${ms.toFixed(0)} ms (TTFB ${ttfb.toFixed(1)} ms, script loaded ${script.toFixed(0)} ms, DOMContentLoaded ${dcl.toFixed(0)} ms${api ? `, list call ${api.toFixed(0)} ms` : ""}; ${RUNS} cold loads) ${ms <= GOAL_MS ? "✓" : "✗"} goal ≤ ${GOAL_MS} ms`,
  );
}
await browser.close();
server.kill("SIGTERM");
