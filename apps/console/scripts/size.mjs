// Prints the gzipped size of the JavaScript index.html loads first, and fails over the budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 250 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [
  ...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((m) => m[1]);
const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map(
  (m) => m[1],
);
const size = (files) =>
  files.reduce(
    (total, file) => {
      const bytes = readFileSync(join(dist, file));
      return {
        raw: total.raw + bytes.length,
        gzip: total.gzip + gzipSync(bytes, { level: 9 }).length,
      };
    },
    { raw: 0, gzip: 0 },
  );
const js = size(scripts);
const css = size(styles);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `console: initial JS ${kib(js.gzip)} gzipped (${kib(js.raw)} raw, ${scripts.length} files); CSS ${kib(css.gzip)} gzipped; budget ${kib(BUDGET)}`,
);
if (js.gzip > BUDGET) {
  console.error(`console: initial JS is over the ${kib(BUDGET)} budget`);
  process.exit(1);
}
