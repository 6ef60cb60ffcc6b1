/**
 * Embedded PGlite serves one process: `cairn serve` marks its data dir with its pid, and
 * `cairn token` refuses to open a data dir a live server holds.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const LOCK_FILE = "cairn-serve.pid";

/** The pid of a live `cairn serve` using `dataDir`, if any. */
export function servingPid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, LOCK_FILE), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}

/** Marks `dataDir` as served by this process; the returned function unmarks it. */
export function markServing(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}
