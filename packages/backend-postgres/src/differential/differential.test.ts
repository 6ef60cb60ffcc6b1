/**
 * Differential tests: every corpus script runs on just-bash's InMemoryFs and
 * on CairnBashFs (memory and Postgres backends, directly with `new Bash` and
 * through execScript), each from the same seed tree. Output, exit code and
 * final tree must be identical, or the difference listed in
 * known-differences.ts with its reason.
 */
import { createMemoryBackend } from "@cairn/backend-memory";
import { type Backend, execScript, openBashFs, SandboxService } from "@cairn/core";
import { Bash, getCommandNames, InMemoryFs } from "just-bash";
import { beforeAll, describe, expect, it } from "vitest";
import { createPostgresBackend } from "../postgres-backend.js";
import { useTestDatabase } from "../test-database.js";
import { type CorpusScript, corpus } from "./corpus.js";
import { ENV, mapLimit, type Outcome, seed, treeOf, WORK } from "./harness.js";
import { KNOWN_DIFFERENCES } from "./known-differences.js";

const SCRIPTS = corpus();
const scope = { tenantId: "diff" };
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * execScript's output bytes as just-bash's `exec()` gives them: UTF-8 text
 * decoded, and output that is not UTF-8 (gzip -c) one char per byte.
 */
function asBashString(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes).toString("latin1");
  }
}

async function onInMemoryFs(script: string): Promise<Outcome> {
  const fs = new InMemoryFs();
  const bash = new Bash({ fs, cwd: WORK, env: ENV });
  await seed(fs);
  const r = await bash.exec(script);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, tree: await treeOf(fs) };
}

/** A sandbox holding the seed, as a new sandbox of that backend. */
async function seededSandbox(service: SandboxService): Promise<string> {
  const sandbox = await service.create(scope, {});
  const { fs, commit } = await openBashFs(service, scope, sandbox.id);
  await seed(fs);
  await commit();
  return sandbox.id;
}

async function direct(service: SandboxService, id: string, script: string): Promise<Outcome> {
  const { fs } = await openBashFs(service, scope, id, { commands: getCommandNames() });
  const r = await new Bash({ fs, cwd: WORK, env: ENV }).exec(script);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, tree: await treeOf(fs) };
}

async function throughExec(service: SandboxService, script: string): Promise<Outcome> {
  const id = await seededSandbox(service);
  const r = await execScript(service, scope, id, { script });
  const { fs } = await openBashFs(service, scope, id, { commands: getCommandNames() });
  return {
    stdout: asBashString(r.stdout),
    stderr: asBashString(r.stderr),
    exitCode: r.exitCode,
    tree: await treeOf(fs),
  };
}

/**
 * How `got` differs from `want`: the differences not listed for `id`, and the
 * listed ones that did not happen (a stale entry must go from the list).
 */
function differences(id: string, want: Outcome, got: Outcome): string[] {
  const entries = KNOWN_DIFFERENCES.filter((d) => d.ids.includes(id));
  const listed = new Set(entries.map((d) => d.field));
  const sometimes = new Set(entries.filter((d) => d.clockDependent).map((d) => d.field));
  const out: string[] = [];
  for (const field of ["stdout", "stderr", "exitCode", "tree"] as const) {
    const found: string[] = [];
    if (field === "tree") {
      const paths = new Set([...Object.keys(want.tree), ...Object.keys(got.tree)]);
      for (const path of [...paths].sort()) {
        if (want.tree[path] === got.tree[path]) continue;
        found.push(
          `${id} tree ${path}:\n  InMemoryFs: ${want.tree[path]}\n  Cairn:      ${got.tree[path]}`,
        );
      }
    } else {
      const [a, b] = [JSON.stringify(want[field]), JSON.stringify(got[field])];
      if (a !== b) found.push(`${id} ${field}:\n  InMemoryFs: ${a}\n  Cairn:      ${b}`);
    }
    if (!listed.has(field)) out.push(...found);
    else if (found.length === 0 && !sometimes.has(field))
      out.push(`${id} ${field}: listed in known-differences.ts but the same`);
  }
  return out;
}

describe("the corpus", () => {
  it("has at least 1,000 scripts with unique ids", () => {
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(SCRIPTS.map((s) => s.id)).size).toBe(SCRIPTS.length);
  });

  it("exercises every command just-bash registers", () => {
    const covered = new Set(SCRIPTS.flatMap((s) => s.commands));
    expect(getCommandNames().filter((name) => !covered.has(name))).toEqual([]);
  });

  it("lists differences only for scripts it has", () => {
    const ids = new Set(SCRIPTS.map((s) => s.id));
    expect(KNOWN_DIFFERENCES.flatMap((d) => d.ids).filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe("CairnBashFs against InMemoryFs", () => {
  const db = useTestDatabase();
  const reference = new Map<string, Outcome>();
  const backends: Array<[string, () => Backend]> = [
    ["memory", () => createMemoryBackend()],
    ["postgres", () => createPostgresBackend({ sql: db().sql })],
  ];

  beforeAll(async () => {
    const outcomes = await mapLimit(SCRIPTS, 4, (s) => onInMemoryFs(s.script));
    for (const [i, s] of SCRIPTS.entries()) reference.set(s.id, outcomes[i]!);
  }, 600_000);

  for (const [name, create] of backends) {
    it(`${name}, directly with new Bash({ fs })`, async () => {
      const service = new SandboxService({ backend: create() });
      const id = await seededSandbox(service);
      const found = await mapLimit(SCRIPTS, 4, async (s) =>
        differences(s.id, reference.get(s.id)!, await direct(service, id, s.script)),
      );
      expect(found.flat()).toEqual([]);
    }, 600_000);

    it(`${name}, through execScript`, async () => {
      const service = new SandboxService({ backend: create() });
      const found = await mapLimit(SCRIPTS, 4, async (s) =>
        differences(s.id, reference.get(s.id)!, await throughExec(service, s.script)),
      );
      expect(found.flat()).toEqual([]);
    }, 600_000);
  }
});

export type { CorpusScript };
