/**
 * The differential harness: one seed tree laid on any just-bash filesystem,
 * and what a run left (output, exit code and the final tree) in a form two
 * filesystems can be compared by.
 */
import type { IFileSystem } from "just-bash";

/** Where scripts run; the seed lives here. */
export const WORK = "/home/user";

/** The variables every run starts with (what execScript gives a new sandbox). */
export const ENV: Record<string, string> = {
  HOME: WORK,
  USER: "user",
  LOGNAME: "user",
  SHELL: "/bin/bash",
  PATH: "/usr/bin:/bin",
};

const FILES: Record<string, string> = {
  "a.txt": "apple\nbanana\ncherry\napple pie\nBanana split\n",
  "b.txt": "one two three\nfour five six\nseven eight nine\n",
  nums: "3\n1\n2\n10\n1\n22\n",
  "people.csv": "name,age,city\nann,31,oslo\nbob,27,rome\ncid,45,oslo\n",
  "left.txt": "1 apple\n2 banana\n4 date\n",
  "right.txt": "1 red\n3 green\n4 brown\n",
  "sorted1.txt": "a\nb\nd\n",
  "sorted2.txt": "b\nc\nd\n",
  tabs: "a\tb\tc\n1\t22\t333\n",
  "data.json": '{"name":"cairn","tags":["fs","bash"],"n":3,"nested":{"k":"v"}}\n',
  "conf.yaml": "name: cairn\nlist:\n  - x\n  - y\nn: 2\n",
  "page.html": "<h1>Title</h1><p>Some <b>bold</b> text.</p><ul><li>one</li><li>two</li></ul>",
  empty: "",
  "noeol.txt": "no newline at end",
  "dir/x.txt": "x\n",
  "dir/sub/y.txt": "y line\n",
  "dir/sub/z.md": "# heading\nbody\n",
  "run.sh": '#!/bin/bash\necho script-ran "$@"\n',
};

/** Lays the seed on `fs`: files, a symlink, a hard link, an executable and /tmp (1777). */
export async function seed(fs: IFileSystem): Promise<void> {
  await fs.mkdir("/tmp", { recursive: true });
  await fs.chmod("/tmp", 0o1777);
  await fs.mkdir(`${WORK}/dir/sub`, { recursive: true });
  await fs.mkdir(`${WORK}/emptydir`, { recursive: true });
  for (const [path, content] of Object.entries(FILES)) {
    await fs.writeFile(`${WORK}/${path}`, content);
  }
  await fs.chmod(`${WORK}/run.sh`, 0o755);
  await fs.symlink("a.txt", `${WORK}/link`);
  await fs.symlink("missing", `${WORK}/dangling`);
  await fs.link(`${WORK}/b.txt`, `${WORK}/b-hard`);
}

/** Paths the walk leaves out: the command directories and just-bash's own /dev and /proc. */
const SKIP = new Set(["/bin", "/usr", "/dev", "/proc"]);

/**
 * Every entry under `/` as one line each: kind, mode, link count (counted
 * from identities within the tree), content or target. Modification times are
 * left out: they are the clock's, not the filesystem's.
 */
export async function treeOf(fs: IFileSystem): Promise<Record<string, string>> {
  const entries: Array<{ path: string; line: string; identity?: string }> = [];
  const walk = async (dir: string) => {
    for (const name of [...(await fs.readdir(dir))].sort()) {
      const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
      if (SKIP.has(path)) continue;
      const st = await fs.lstat(path);
      const mode = (st.mode & 0o7777).toString(8);
      const identity =
        st.identity ?? (st.ino !== undefined ? `${String(st.dev)}:${String(st.ino)}` : undefined);
      if (st.isSymbolicLink) entries.push({ path, line: `link -> ${await fs.readlink(path)}` });
      else if (st.isDirectory) {
        entries.push({ path, line: `dir ${mode}` });
        await walk(path);
      } else {
        const bytes = await fs.readFileBuffer(path);
        entries.push({
          path,
          identity,
          line: `file ${mode} ${Buffer.from(bytes).toString("base64")}`,
        });
      }
    }
  };
  await walk("/");
  const links = new Map<string, number>();
  for (const e of entries) if (e.identity) links.set(e.identity, (links.get(e.identity) ?? 0) + 1);
  const tree: Record<string, string> = {};
  for (const e of entries) {
    tree[e.path] = e.identity ? `${e.line} nlink=${links.get(e.identity)}` : e.line;
  }
  return tree;
}

/** What one run of one script left. */
export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  tree: Record<string, string>;
}

/** Runs `fn` on every item, `limit` at a time (storage round trips overlap), results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
