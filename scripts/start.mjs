// `npm start`: install, build what changed, and run `cairn serve` (extra args pass through).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ensureInstalled, root, runPnpm } from "./workspace.mjs";

ensureInstalled();
const built = runPnpm([
  "exec",
  "turbo",
  "run",
  "build",
  "--filter=cairn...",
  "--filter=@cairn/console", // the web console cairn serves at /
  "--output-logs=errors-only",
]);
if (built !== 0) process.exit(built);

const args = process.argv.slice(2);
const keyGiven =
  process.env.CAIRN_API_KEY ||
  args.some((a) =>
    ["--api-key", "--generate-api-key", "--insecure-no-auth", "--help", "-h"].includes(a),
  );
// A newcomer's first run gets a fresh random key, printed once, rather than no auth.
const serveArgs = keyGiven ? args : [...args, "--generate-api-key"];
const child = spawn(
  process.execPath,
  [join(root, "apps/cairn/dist/cli.js"), "serve", ...serveArgs],
  {
    stdio: "inherit",
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 1));
