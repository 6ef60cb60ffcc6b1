// Finds or starts the Postgres that tests (and a developer) use, with nothing but Node:
//   CAIRN_TEST_DATABASE_URL → a server answering on 127.0.0.1:5432 → a throwaway cluster from
//   the machine's Postgres binaries → embedded PGlite served over a socket.
// As a command: `node scripts/postgres.mjs up|down|status|probe [--port N]` (`npm run db:up`).
import { spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * What a server on host:port says to `user` with no password: "ok" (trust), "refused"
 * (it answered but wants a password or rejected us: not usable without credentials), or
 * "down". Speaks the startup message of the wire protocol directly, so no client is needed.
 */
export function probe({ host = "127.0.0.1", port = 5432, user = "postgres", timeoutMs = 2000 }) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (answer) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done("down"));
    socket.once("error", () => done("down"));
    socket.once("connect", () => {
      const params = Buffer.from(`user\0${user}\0database\0postgres\0\0`);
      const message = Buffer.alloc(8 + params.length);
      message.writeInt32BE(message.length, 0);
      message.writeInt32BE(196608, 4); // protocol 3.0
      params.copy(message, 8);
      socket.write(message);
    });
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 9) return;
      // 'R' + length + int32 auth code: 0 is AuthenticationOk.
      done(buffered[0] === 0x52 && buffered.readInt32BE(5) === 0 ? "ok" : "refused");
    });
  });
}

/** The directory holding initdb, pg_ctl and postgres, or undefined when the machine has none. */
export function findBinaries() {
  const candidates = [];
  if (process.env.CAIRN_TEST_PG_BIN) candidates.push(process.env.CAIRN_TEST_PG_BIN);
  const config = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (config.status === 0) candidates.push(config.stdout.trim());
  // Debian and Ubuntu keep each major under /usr/lib/postgresql/<major>/bin: newest first.
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    for (const major of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
      candidates.push(join(debian, major, "bin"));
    }
  }
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  if (onPath.status === 0) candidates.push(join(onPath.stdout.trim(), ".."));
  return candidates.find((dir) =>
    ["initdb", "pg_ctl", "postgres"].every((bin) => existsSync(join(dir, bin))),
  );
}

/** `postgres --version` of a binaries directory, e.g. "15.18". */
function versionOf(binDir) {
  const out = spawnSync(join(binDir, "postgres"), ["--version"], { encoding: "utf8" }).stdout;
  return out?.match(/\d+(\.\d+)*/)?.[0] ?? "unknown";
}

/** Postgres refuses to run as root: as root, the server runs as the `postgres` OS user. */
function runAs() {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = id("-u");
  if (uid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

/** Why a cluster cannot be started from binDir, or undefined when it can. */
export function clusterUnavailable(binDir) {
  if (!binDir) return "no Postgres binaries (initdb, pg_ctl, postgres) on this machine";
  if (process.getuid?.() === 0 && !runAs()) {
    return "running as root and there is no 'postgres' OS user to run the server";
  }
  return undefined;
}

function pgCommand(binDir, bin, args) {
  const command = join(binDir, bin);
  return runAs() ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

function runPg(binDir, bin, args) {
  const [file, argv] = pgCommand(binDir, bin, args);
  const result = spawnSync(file, argv, { encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`${bin} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** initdb (trust, superuser `postgres`) into dir and configure it for tests on 127.0.0.1:port. */
function initCluster(binDir, dir, port) {
  mkdirSync(dir, { recursive: true });
  const owner = runAs();
  if (owner) {
    chmodSync(dir, 0o755);
    chownSync(dir, owner.uid, owner.gid);
  }
  const dataDir = join(dir, "data");
  runPg(binDir, "initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "-N", "-E", "UTF8"]);
  appendFileSync(
    join(dataDir, "postgresql.conf"),
    [
      "",
      "# written by scripts/postgres.mjs: a cluster for Cairn's tests",
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      "max_connections = 300",
      "shared_buffers = 128MB",
      // A test cluster: durability is not the point, and fsync doubles suite time on slow disks.
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "",
    ].join("\n"),
  );
  return dataDir;
}

function startCluster(binDir, dir, dataDir) {
  runPg(binDir, "pg_ctl", [
    "-D",
    dataDir,
    "-w",
    "-t",
    "60",
    "-l",
    join(dir, "server.log"),
    "start",
  ]);
}

function stopCluster(binDir, dataDir) {
  if (!existsSync(join(dataDir, "postmaster.pid"))) return;
  const [file, argv] = pgCommand(binDir, "pg_ctl", ["-D", dataDir, "-m", "immediate", "stop"]);
  spawnSync(file, argv, { stdio: "ignore", timeout: 60_000 });
}

/** A cluster in a temp dir on a free port; `stop()` removes it. */
export async function startThrowawayCluster(binDir) {
  const dir = mkdtempSync(join(tmpdir(), "cairn-test-pg-"));
  try {
    const port = await freePort();
    const dataDir = initCluster(binDir, dir, port);
    startCluster(binDir, dir, dataDir);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      label: `throwaway cluster ${versionOf(binDir)} on port ${port}`,
      stop() {
        stopCluster(binDir, dataDir);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** PGlite behind scripts/pglite-server.mjs in a child process; `stop()` ends it. */
export async function startPglite({ port = 0 } = {}) {
  const child = spawn(process.execPath, [join(here, "pglite-server.mjs"), String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const line = out.match(/^listening (postgres:\/\/\S+)$/m);
      if (line) resolve(line[1]);
    });
    child.once("exit", (code) => reject(new Error(`pglite-server exited with ${code}: ${out}`)));
  });
  child.stdout.resume();
  return {
    url,
    child,
    label: "embedded PGlite (scripts/pglite-server.mjs)",
    stop() {
      child.kill("SIGTERM");
    },
  };
}

/**
 * The Postgres the test suites use, in the order the README gives. `kind` is what the
 * suites read (CAIRN_TEST_POSTGRES) to skip what a kind cannot do; `stop()` ends what was started.
 */
export async function resolveTestPostgres() {
  // CAIRN_TEST_POSTGRES_KIND=cluster|pglite skips the earlier steps: to try a fallback on a
  // machine that has better (a server on 5432, binaries).
  const forced = process.env.CAIRN_TEST_POSTGRES_KIND;
  if (forced === "pglite") {
    const pglite = await startPglite();
    return { kind: "pglite", ...pglite, label: `${pglite.label}: CAIRN_TEST_POSTGRES_KIND=pglite` };
  }
  if (forced === "cluster") {
    const binDir = findBinaries();
    const unavailable = clusterUnavailable(binDir);
    if (unavailable) throw new Error(`CAIRN_TEST_POSTGRES_KIND=cluster, but ${unavailable}`);
    return { kind: "cluster", binDir, ...(await startThrowawayCluster(binDir)) };
  }
  const given = process.env.CAIRN_TEST_DATABASE_URL;
  if (given) {
    return {
      kind: "given",
      url: given,
      label: `CAIRN_TEST_DATABASE_URL (${redact(given)})`,
      stop() {},
    };
  }
  const local = await probe({ port: 5432 });
  if (local === "ok") {
    return {
      kind: "server",
      url: "postgres://postgres@127.0.0.1:5432/postgres",
      label: "server on 127.0.0.1:5432",
      stop() {},
    };
  }
  const binDir = findBinaries();
  const unavailable = clusterUnavailable(binDir);
  if (!unavailable) {
    const cluster = await startThrowawayCluster(binDir);
    return { kind: "cluster", binDir, ...cluster };
  }
  const why = local === "refused" ? "127.0.0.1:5432 wants a password" : unavailable;
  const pglite = await startPglite();
  return { kind: "pglite", ...pglite, label: `${pglite.label}: ${why}` };
}

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "unparsable URL";
  }
}

// ---- `npm run db:up` / `db:down`: the same Postgres for a developer, kept between runs ----

const portArg = process.argv.indexOf("--port");
const DEV_PORT = portArg > 0 ? Number(process.argv[portArg + 1]) : 5432;
const DEV_DIR = process.env.CAIRN_DEV_PG_DIR ?? join(tmpdir(), `cairn-dev-postgres-${DEV_PORT}`);

async function up() {
  const state = await probe({ port: DEV_PORT });
  if (state === "ok") {
    console.log(`Postgres already answers on 127.0.0.1:${DEV_PORT} (trust): nothing to do.`);
    return 0;
  }
  if (state === "refused") {
    console.error(
      `A Postgres on 127.0.0.1:${DEV_PORT} wants a password: set CAIRN_TEST_DATABASE_URL to a superuser URL for it, or use --port.`,
    );
    return 1;
  }
  const binDir = findBinaries();
  const unavailable = clusterUnavailable(binDir);
  if (unavailable) {
    console.log(`${unavailable}: serving embedded PGlite on 127.0.0.1:${DEV_PORT} until Ctrl-C.`);
    const pglite = await startPglite({ port: DEV_PORT });
    console.log(`ready: ${pglite.url}`);
    await new Promise((resolve) => pglite.child.once("exit", resolve));
    return 0;
  }
  const dataDir = join(DEV_DIR, "data");
  if (!existsSync(dataDir)) initCluster(binDir, DEV_DIR, DEV_PORT);
  startCluster(binDir, DEV_DIR, dataDir);
  console.log(
    `Postgres ${versionOf(binDir)} on 127.0.0.1:${DEV_PORT} (trust, user postgres), data in ${DEV_DIR}; stop it with npm run db:down`,
  );
  return 0;
}

function down() {
  const binDir = findBinaries();
  const dataDir = join(DEV_DIR, "data");
  if (!binDir || !existsSync(join(dataDir, "postmaster.pid"))) {
    console.log(`no cluster of db:up runs from ${DEV_DIR}`);
    return 0;
  }
  stopCluster(binDir, dataDir);
  console.log(`stopped the cluster in ${DEV_DIR}`);
  return 0;
}

/** Prints ok, refused or down for 127.0.0.1:<port> (for shell scripts such as .ci/run). */
async function probeCommand() {
  console.log(await probe({ port: DEV_PORT }));
  return 0;
}

async function status() {
  const found = await resolveTestPostgres();
  console.log(`tests would use: ${found.label}`);
  found.stop();
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const commands = { up, down, status, probe: probeCommand };
  const command = commands[process.argv[2]];
  if (!command) {
    console.error("usage: node scripts/postgres.mjs up|down|status|probe [--port N]");
    process.exit(2);
  }
  process.exit(await command());
}
