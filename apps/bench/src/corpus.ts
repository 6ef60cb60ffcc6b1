/**
 * A deterministic, realistic file tree for the benchmarks: `files` text files
 * of ~`meanFileBytes` under /w, 100 per leaf directory
 * (/w/<area>/mod<NN>/file_<NNN>.txt, every tenth a .md), with a rare token
 * `RARE_<4 hex>` in ~17 per 10,000 files.
 */
import { seededRandom } from "@cairn/core";

export interface CorpusFile {
  path: string;
  bytes: Uint8Array;
}

export interface Corpus {
  files: CorpusFile[];
  totalBytes: number;
  /** Paths of the files holding a RARE_xxxx token. */
  rarePaths: string[];
  /** How many paths end in .txt. */
  txtCount: number;
  /** The directory holding every file. */
  root: string;
}

const AREAS = [
  "api",
  "core",
  "docs",
  "lib",
  "scripts",
  "services",
  "tests",
  "tools",
  "ui",
  "vendor",
];
const WORDS = (
  "the of and to in is for on that with as by this be are from at it an or not we can which " +
  "function return value const let import export default async await class interface type " +
  "string number boolean error result config options request response handler server client " +
  "index table column query commit version tree node parent child path file directory buffer " +
  "stream token cache budget limit timeout retry backoff latency throughput memory process " +
  "thread worker queue event listener schema migration tenant sandbox snapshot journal blob " +
  "hash digest encode decode parse format render update delete create insert select where"
).split(" ");

/** Lines of prose-like code comments; lowercase words only, so it never contains RARE. */
function textPool(random: () => number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const n = 6 + Math.floor(random() * 9);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
    const indent = "  ".repeat(Math.floor(random() * 3));
    const line = `${indent}${words.join(" ")}${random() < 0.3 ? ";" : ""}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join("");
}

export function generateCorpus(options: {
  files: number;
  meanFileBytes?: number;
  seed?: number;
}): Corpus {
  const count = options.files;
  const mean = options.meanFileBytes ?? 5000;
  const random = seededRandom(options.seed ?? 42);
  const pool = textPool(random, Math.max(1 << 20, mean * 4));
  const rareWanted = Math.max(1, Math.round((count * 17) / 10_000));
  const rareAt = new Set<number>();
  while (rareAt.size < Math.min(rareWanted, count)) rareAt.add(Math.floor(random() * count));

  const encoder = new TextEncoder();
  const files: CorpusFile[] = [];
  const rarePaths: string[] = [];
  let totalBytes = 0;
  let txtCount = 0;
  for (let i = 0; i < count; i++) {
    const leaf = Math.floor(i / 100);
    const area = AREAS[leaf % AREAS.length]!;
    const mod = String(Math.floor(leaf / AREAS.length)).padStart(2, "0");
    const ext = i % 10 === 9 ? "md" : "txt";
    if (ext === "txt") txtCount++;
    const path = `/w/${area}/mod${mod}/file_${String(i % 100).padStart(3, "0")}.${ext}`;
    // 60%..140% of the mean, starting at a line boundary of the shared pool.
    const length = Math.floor(mean * (0.6 + random() * 0.8));
    let start = Math.floor(random() * (pool.length - length - 1));
    start = pool.indexOf("\n", start) + 1;
    let body = `# ${path}\n${pool.slice(start, start + length)}`;
    if (rareAt.has(i)) {
      const token = `RARE_${Math.floor(random() * 0x10000)
        .toString(16)
        .padStart(4, "0")}`;
      const cut = body.indexOf("\n", Math.floor(body.length / 2)) + 1;
      body = `${body.slice(0, cut)}  see ${token} for details\n${body.slice(cut)}`;
      rarePaths.push(path);
    }
    const bytes = encoder.encode(body);
    totalBytes += bytes.length;
    files.push({ path, bytes });
  }
  return { files, totalBytes, rarePaths: rarePaths.sort(), txtCount, root: "/w" };
}
