/**
 * A new worker is a new V8 isolate: nothing in it is compiled yet. Its first
 * script on a big tree measured ~55 ms where a warm worker takes ~3 ms, most of
 * it interpreting code every script runs (unpacking the tree, building its
 * index, just-bash's parser and common commands). A worker runs this once as it
 * starts, on a scratch tree in memory, so that cost is paid before requests come.
 */
import { DEFAULT_SANDBOX_OPTIONS, rootInode, type SandboxRecord } from "../backend.js";
import { runJob, startDeadline } from "../exec/exec.js";
import { Journal } from "../journal.js";
import { Tree } from "../tree.js";
import { unpackTree } from "../tree-wire.js";
import { Vfs } from "../vfs.js";

/** Touches what the common commands touch; its output and changes are thrown away. */
const SCRIPT = [
  "mkdir -p w/src && cd w",
  'for i in 1 2 3; do echo "line $i" >> src/f$i.txt; done',
  "ls / > /dev/null; ls -la src | wc -l > /dev/null; cat src/f1.txt | head -n 1 > /dev/null",
  "grep -rn line src > /dev/null; find . -name '*.txt' | sort > /dev/null",
  'x=$(pwd); test -d "$x" && basename "$x" | sed s/w/v/ > /dev/null',
  "cd / && rm -rf w",
].join("\n");

export async function warmUpWorker(): Promise<void> {
  const tree = Tree.fromData(unpackTree(scratchTree().pack()));
  const record: SandboxRecord = {
    id: "sbx_warmup",
    tenantId: "warm-up",
    name: null,
    env: {},
    options: DEFAULT_SANDBOX_OPTIONS,
    shell: null,
    version: tree.version,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    expiresAt: null,
    idleTimeout: null,
    idleExpiresAt: null,
  };
  const deadline = startDeadline({ timeoutMs: 10_000 });
  try {
    const { result } = await runJob(
      { kind: "script", input: { script: SCRIPT, commit: "never" }, streamed: false },
      { record, tree },
      () => new Vfs(new Journal(tree), async () => new Map()),
      undefined,
      deadline,
    );
    if ("exitCode" in result && result.exitCode !== 0) {
      throw new Error(
        `warm-up script exited ${result.exitCode}: ${new TextDecoder().decode(result.stderr)}`,
      );
    }
  } finally {
    deadline.dispose();
  }
}

/** A tree of a few thousand empty files, large enough for the tree code's loops to be compiled. */
function scratchTree(): Tree {
  const vfs = new Vfs(
    new Journal(Tree.fromData({ version: 1, inodes: [rootInode(0)], dentries: [] })),
    async () => new Map(),
  );
  const empty = new Uint8Array(0);
  for (let i = 0; i < 4_000; i++) vfs.writeFile(`/d${i % 40}/f${i}`, empty);
  const journal = vfs.journal;
  return journal.base.apply(journal.toChangeSet(), 2);
}
