/** Vite build of the console: Preact JSX through esbuild, hashed assets under /assets. */
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2022",
    assetsDir: "assets",
    // No inline <script> or style: the page's CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `pnpm dev` against a local `cairn serve` on its default port.
    proxy: { "/v1": "http://127.0.0.1:7878" },
  },
});
