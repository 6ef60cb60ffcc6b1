/**
 * Test support for Postgres: a fresh database on the machine's server, a
 * private throwaway cluster (for tests that restart Postgres), and integrity
 * checks run directly on the tables as a superuser.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres, { type Sql } from "postgres";

export const ADMIN_URL =
  process.env.CAIRN_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Why a suite that needs a Postgres server cannot run on the test Postgres, or undefined.
 * `npm test` sets CAIRN_TEST_POSTGRES=pglite when it fell back to embedded PGlite: one session
 * per database taken in turns, so no lock waits between sessions, no pool contention, no
 * shared libraries (auto_explain) and no roles without extension rights.
 */
export const SERVER_ONLY: string | undefined =
  process.env.CAIRN_TEST_POSTGRES === "pglite"
    ? "needs a Postgres server, and the tests fell back to PGlite"
    : undefined;

export function urlFor(database: string, base = ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A superuser pool that does not look like Cairn (application_name is not `cairn`). */
export function adminPool(url: string, max = 2): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: "cairn-test-admin" },
  });
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** `CREATE DATABASE cairn_test_<random>` (unmigrated: `cairn serve` migrates at boot). */
export async function createDatabase(adminUrl = ADMIN_URL): Promise<TestDatabase> {
  const name = `cairn_test_${randomBytes(6).toString("hex")}`;
  const admin = adminPool(adminUrl, 1);
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: urlFor(name, adminUrl),
    async drop() {
      const admin2 = adminPool(adminUrl, 1);
      try {
        await admin2.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin2.end();
      }
    },
  };
}

/** Violations of the tree's invariants, each as up to 5 sample rows plus a count. */
export interface IntegrityReport {
  violations: Record<string, { count: number; samples: unknown[] }>;
  /** Blobs no inode refers to: garbage for `cairn gc`, not corruption. */
  unreferencedBlobs: number;
}

/**
 * Each sandbox's and snapshot's merged tree (migration 16: a stack of layers, the topmost row
 * of an inode or name wins, whiteouts delete), as `tree_inodes` and `tree_dentries`.
 */
const TREES = `
  WITH stack AS (
    SELECT s.tenant_id, s.id AS tree, l.layer, l.depth
    FROM sandboxes s, unnest(s.layers) WITH ORDINALITY AS l(layer, depth)
    UNION ALL
    SELECT p.tenant_id, p.id, l.layer, l.depth
    FROM snapshots p, unnest(p.layers) WITH ORDINALITY AS l(layer, depth)
  ), tree_inodes AS (
    SELECT * FROM (
      SELECT DISTINCT ON (st.tenant_id, st.tree, i.ino) st.tenant_id, st.tree, i.ino, i.kind
      FROM stack st JOIN inodes i ON i.tenant_id = st.tenant_id AND i.sandbox_id = st.layer
      ORDER BY st.tenant_id, st.tree, i.ino, st.depth) m
    WHERE kind <> 'x'
  ), tree_dentries AS (
    SELECT * FROM (
      SELECT DISTINCT ON (st.tenant_id, st.tree, d.parent, d.name)
        st.tenant_id, st.tree, d.parent, d.name, d.ino
      FROM stack st JOIN dentries d ON d.tenant_id = st.tenant_id AND d.sandbox_id = st.layer
      ORDER BY st.tenant_id, st.tree, d.parent, d.name, st.depth) m
    WHERE ino <> 0
  )`;

const INVARIANTS: Record<string, string> = {
  "dentry points at a missing inode of its tree": `${TREES}
    SELECT d.tree, d.parent, d.name, d.ino FROM tree_dentries d
    WHERE NOT EXISTS (SELECT 1 FROM tree_inodes i
      WHERE i.tenant_id = d.tenant_id AND i.tree = d.tree AND i.ino = d.ino)`,
  "dentry's parent is not a directory of its tree": `${TREES}
    SELECT d.tree, d.parent, d.name FROM tree_dentries d
    WHERE NOT EXISTS (SELECT 1 FROM tree_inodes i
      WHERE i.tenant_id = d.tenant_id AND i.tree = d.tree AND i.ino = d.parent AND i.kind = 'd')`,
  "inode (not the root) that no dentry of its tree refers to": `${TREES}
    SELECT i.tree, i.ino, i.kind FROM tree_inodes i
    WHERE i.ino <> 1 AND NOT EXISTS (SELECT 1 FROM tree_dentries d
      WHERE d.tenant_id = i.tenant_id AND d.tree = i.tree AND d.ino = i.ino)`,
  "sandbox or snapshot without a root directory": `${TREES}
    SELECT s.tree FROM (SELECT DISTINCT tenant_id, tree FROM stack) s
    WHERE NOT EXISTS (SELECT 1 FROM tree_inodes i
      WHERE i.tenant_id = s.tenant_id AND i.tree = s.tree AND i.ino = 1 AND i.kind = 'd')`,
  "inode whose blob is missing": `
    SELECT i.sandbox_id, i.ino, i.blob FROM inodes i
    WHERE i.blob IS NOT NULL AND NOT EXISTS (SELECT 1 FROM blobs b
      WHERE b.tenant_id = i.tenant_id AND b.hash = i.blob)`,
  "file inode without a blob": `
    SELECT i.sandbox_id, i.ino FROM inodes i WHERE i.kind = 'f' AND i.blob IS NULL`,
  "tree row of a layer that does not exist": `
    SELECT i.sandbox_id, i.ino FROM inodes i
    WHERE NOT EXISTS (SELECT 1 FROM layers l WHERE l.tenant_id = i.tenant_id AND l.id = i.sandbox_id)
    UNION ALL
    SELECT d.sandbox_id, d.ino FROM dentries d
    WHERE NOT EXISTS (SELECT 1 FROM layers l WHERE l.tenant_id = d.tenant_id AND l.id = d.sandbox_id)`,
  "layer whose reference count is not its holders'": `${TREES}
    SELECT l.id, l.refs, count(st.tree) AS holders FROM layers l
    LEFT JOIN stack st ON st.tenant_id = l.tenant_id AND st.layer = l.id
    GROUP BY l.tenant_id, l.id, l.refs HAVING count(st.tree) <> l.refs`,
  "blob text without its blob": `
    SELECT t.hash FROM blob_text t
    WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.tenant_id = t.tenant_id AND b.hash = t.hash)`,
};

/** Checks every invariant of the stored trees (as a superuser, so row-level security is bypassed). */
export async function checkIntegrity(sql: Sql): Promise<IntegrityReport> {
  const violations: IntegrityReport["violations"] = {};
  for (const [name, query] of Object.entries(INVARIANTS)) {
    const [{ count }] = (await sql.unsafe(`SELECT count(*)::int AS count FROM (${query}) q`)) as [
      { count: number },
    ];
    if (count > 0) {
      violations[name] = { count, samples: [...(await sql.unsafe(`${query} LIMIT 5`))] };
    }
  }
  const [{ n }] = (await sql`
    SELECT count(*)::int AS n FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM inodes i
      WHERE i.tenant_id = b.tenant_id AND i.blob = b.hash)`) as unknown as [{ n: number }];
  return { violations, unreferencedBlobs: n };
}

// ---- a private cluster ---------------------------------------------------

/**
 * The machine's Postgres binaries: CAIRN_TEST_PG_BIN (which `npm test` sets from the same
 * search in scripts/postgres.mjs), else the newest /usr/lib/postgresql/<major>/bin, else
 * `pg_config --bindir`.
 */
function findBinaries(): string | undefined {
  const candidates: string[] = [];
  if (process.env.CAIRN_TEST_PG_BIN) candidates.push(process.env.CAIRN_TEST_PG_BIN);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    for (const major of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
      candidates.push(join(debian, major, "bin"));
    }
  }
  const config = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (config.status === 0) candidates.push(config.stdout.trim());
  return candidates.find((dir) =>
    ["initdb", "pg_ctl", "postgres"].every((bin) => existsSync(join(dir, bin))),
  );
}

const PG_BIN = findBinaries();

function which(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * Why a private cluster cannot be started here, or undefined when it can.
 * As root the server binaries must run as the `postgres` OS user (Postgres refuses root).
 */
export function privateClusterUnavailable(): string | undefined {
  const reason = clusterUnavailableReason();
  // CI installs the binaries: there a missing one is a failure, never a skip.
  if (reason && process.env.CAIRN_TEST_REQUIRE_PG_BINARIES) {
    throw new Error(`CAIRN_TEST_REQUIRE_PG_BINARIES is set, but ${reason}`);
  }
  return reason;
}

function clusterUnavailableReason(): string | undefined {
  if (!PG_BIN) return "no Postgres binaries (initdb, pg_ctl, postgres) on this machine";
  if (process.getuid?.() === 0) {
    if (!which("runuser")) return "running as root and runuser is not available";
    if (spawnSync("id", ["-u", "postgres"], { stdio: "ignore" }).status !== 0) {
      return "running as root and there is no 'postgres' OS user to run the server";
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (checked by binding it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

const liveClusters = new Set<PrivateCluster>();
process.on("exit", () => {
  for (const cluster of liveClusters) cluster.stopSync();
});

/**
 * A throwaway PostgreSQL cluster in a temp dir, on its own port and socket
 * dir, that a test may restart, crash or stop without disturbing anyone else.
 */
export class PrivateCluster {
  readonly dir: string;
  readonly dataDir: string;
  private currentPort = 0;
  private readonly asPostgres: boolean;

  private constructor(dir: string) {
    this.dir = dir;
    this.dataDir = join(dir, "data");
    this.asPostgres = process.getuid?.() === 0;
  }

  get port(): number {
    return this.currentPort;
  }

  /** initdb + start; throws (after removing the dir) on failure. */
  static async create(): Promise<PrivateCluster> {
    const dir = mkdtempSync(join(tmpdir(), "cairn-pg-"));
    const cluster = new PrivateCluster(dir);
    liveClusters.add(cluster);
    try {
      if (cluster.asPostgres) {
        chmodSync(dir, 0o755);
        const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
        const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
        chownSync(dir, uid, gid);
      }
      await cluster.pg("initdb", ["-D", cluster.dataDir, "-A", "trust", "-U", "postgres", "-N"]);
      appendFileSync(
        join(cluster.dataDir, "postgresql.conf"),
        [
          "",
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${cluster.dir}'`,
          "max_connections = 50",
          "shared_buffers = 32MB",
          "logging_collector = off",
          "",
        ].join("\n"),
      );
      // The port was free when picked; if someone took it since, pick another (a later
      // `port` line in postgresql.conf overrides an earlier one).
      for (let attempt = 1; ; attempt++) {
        cluster.currentPort = await freePort();
        appendFileSync(join(cluster.dataDir, "postgresql.conf"), `port = ${cluster.port}\n`);
        try {
          await cluster.start();
          return cluster;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
    } catch (error) {
      cluster.remove();
      throw error;
    }
  }

  /** A URL for `database` as the superuser `postgres`. */
  /** Creates `name` on this cluster and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const bootstrap = adminPool(this.url(), 1);
    try {
      await bootstrap.unsafe(`CREATE DATABASE ${name}`);
    } finally {
      await bootstrap.end();
    }
    return this.url(name);
  }

  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): Promise<void> {
    return this.pg("pg_ctl", this.ctlArgs("start", "-l", join(this.dir, "server.log")));
  }

  /**
   * `pg_ctl restart -m <mode>`: every connection is cut; resolves once the
   * cluster accepts connections again. Asynchronous, so load keeps running.
   */
  restart(mode: "fast" | "immediate"): Promise<void> {
    return this.pg(
      "pg_ctl",
      this.ctlArgs("restart", "-m", mode, "-l", join(this.dir, "server.log")),
    );
  }

  /** Stops the server if it runs (immediate: it is a throwaway). Never throws. */
  stopSync(): void {
    if (!existsSync(join(this.dataDir, "postmaster.pid"))) return;
    const [file, argv] = this.command("pg_ctl", this.ctlArgs("stop", "-m", "immediate"));
    spawnSync(file, argv, { stdio: "ignore", cwd: this.dir, timeout: 60_000 });
  }

  /** Stops the server and deletes the cluster's directory. */
  remove(): void {
    this.stopSync();
    liveClusters.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ctlArgs(...args: string[]): string[] {
    return ["-D", this.dataDir, "-w", "-t", "60", ...args];
  }

  private command(bin: string, args: string[]): [string, string[]] {
    if (!PG_BIN) throw new Error("no Postgres binaries on this machine");
    const command = join(PG_BIN, bin);
    return this.asPostgres
      ? ["runuser", ["-u", "postgres", "--", command, ...args]]
      : [command, args];
  }

  private pg(bin: string, args: string[]): Promise<void> {
    const [file, argv] = this.command(bin, args);
    return new Promise((resolve, reject) => {
      execFile(file, argv, { cwd: this.dir, timeout: 120_000 }, (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`${bin} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`),
          );
        else resolve();
      });
    });
  }
}
