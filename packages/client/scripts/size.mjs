// `pnpm --filter @cairn/client size`: the client as a browser app would ship it — dist/index.js
// and its dependencies bundled and minified by esbuild — in raw and gzip bytes.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const result = await build({
  entryPoints: [new URL("../dist/index.js", import.meta.url).pathname],
  bundle: true,
  minify: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  write: false,
  metafile: true,
});
const bytes = result.outputFiles[0].contents;
const gzip = gzipSync(bytes, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

const inputs = Object.entries(Object.values(result.metafile.outputs)[0]?.inputs ?? {});
const byPackage = new Map();
for (const [path, { bytesInOutput }] of inputs) {
  const name = path.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  const key = name ? name[1] : "@cairn/client";
  byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
}
for (const [name, size] of [...byPackage].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${name.padEnd(20)} ${String(size).padStart(7)} B minified`);
}
console.log(
  `@cairn/client bundle (esbuild, minified, browser): ${bytes.length} B raw (${kib(bytes.length)}), ${gzip} B gzip (${kib(gzip)})`,
);
