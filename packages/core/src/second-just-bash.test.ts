/**
 * CairnBashFs under another copy of just-bash than the one it imports (an
 * application's own): a long script must still give the event loop its turns.
 * just-bash's CommonJS bundle is such a copy: its own modules, its own
 * defense-in-depth sandbox.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { CairnBashFs } from "./bash-fs.js";
import { scratchVfs } from "./test-support.js";

const require = createRequire(import.meta.url);
const other = require("just-bash") as typeof import("just-bash");

describe("another copy of just-bash runs the script", () => {
  it("is a separate copy", async () => {
    const esm = await import("just-bash");
    expect(other.Bash).not.toBe(esm.Bash);
    expect(other.DefenseInDepthBox).not.toBe(esm.DefenseInDepthBox);
  });

  it("a loop longer than a time slice yields and completes", async () => {
    const fs = new CairnBashFs(scratchVfs());
    const bash = new other.Bash({ fs, cwd: "/" });
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    const started = Date.now();
    const r = await bash.exec("for i in $(seq 500); do echo $i >> /n; done; wc -l < /n");
    clearInterval(ticker);
    expect(r.stderr).toBe("");
    expect([r.exitCode, r.stdout]).toEqual([0, "500\n"]);
    expect(Date.now() - started).toBeGreaterThan(5);
    // The event loop ran timers while the script did.
    expect(turns).toBeGreaterThan(0);
  }, 60_000);
});
