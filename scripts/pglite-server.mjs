// The last fallback for tests: embedded PGlite (Postgres compiled to WASM) behind one port,
// as a machine without a Postgres server or binaries can have it. Usage: node pglite-server.mjs [port]
//
// A PGlite instance is one database and one session, while the suites create a database each
// and open pools of connections. So each connection is routed by the database named in its
// startup message to an in-memory PGlite of its own (cloned from a template on first use,
// closed on `DROP DATABASE`), and the connections to one database take turns on its session:
// a connection holds it from its first message until PGlite answers ReadyForQuery idle, so
// an extended-protocol exchange (Parse … Sync) or a transaction is never interleaved with
// another connection's. (pglite-socket's own queue interleaves outside explicit transactions,
// which loses the unnamed portal: "portal \"\" does not exist".) Each turn runs as the
// connection's login role (SET SESSION AUTHORIZATION), so row-level security tests hold.
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(
  join(fileURLToPath(new URL("..", import.meta.url)), "packages/backend-postgres/package.json"),
);
const { PGlite } = require("@electric-sql/pglite");
const { pg_trgm } = require("@electric-sql/pglite/contrib/pg_trgm");
const { btree_gin } = require("@electric-sql/pglite/contrib/btree_gin");
const { vector } = require("@electric-sql/pglite-pgvector");

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const SUPERUSER = "postgres";

const template = PGlite.create({ extensions: { pg_trgm, btree_gin, vector } });

/** One database: a PGlite session that connections take turns on. */
class Database {
  constructor(db) {
    this.db = db;
    this.holder = null;
    this.waiting = [];
    this.sessionUser = SUPERUSER;
    this.connections = new Set();
    this.closed = false;
  }

  /** Resolves when `connection` holds the session (at once if it already does). */
  acquire(connection) {
    if (this.holder === connection) return Promise.resolve();
    if (!this.holder) {
      this.holder = connection;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ connection, resolve }));
  }

  release(connection) {
    if (this.holder !== connection) return;
    this.holder = null;
    const next = this.waiting.shift();
    if (next) {
      this.holder = next.connection;
      next.resolve();
    }
  }

  async actAs(user) {
    if (this.sessionUser === user) return;
    // Named even for the superuser: PGlite's RESET SESSION AUTHORIZATION keeps the role set.
    await this.db.exec(`SET SESSION AUTHORIZATION "${user.replaceAll('"', '""')}"`);
    this.sessionUser = user;
  }

  async close() {
    this.closed = true;
    for (const connection of this.connections) connection.socket.destroy();
    await this.db.close().catch(() => {});
  }
}

/** database name → Promise<Database> */
const databases = new Map();

function database(name) {
  let entry = databases.get(name);
  if (!entry) {
    entry = template.then(async (t) => new Database(await t.clone()));
    databases.set(name, entry);
    entry.catch(() => databases.delete(name));
  }
  return entry;
}

async function drop(name) {
  const entry = databases.get(name);
  if (!entry) return;
  databases.delete(name);
  (await entry).close();
}

/** Startup parameters (user, database, ...) of a startup message. */
function startupParams(message) {
  const fields = message.subarray(8).toString("utf8").split("\0");
  const params = {};
  for (let i = 0; i + 1 < fields.length && fields[i] !== ""; i += 2)
    params[fields[i]] = fields[i + 1];
  return params;
}

function startupMessage(params) {
  const body = Buffer.from(`${Object.entries(params).flat().join("\0")}\0\0`);
  const message = Buffer.alloc(8 + body.length);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(196608, 4);
  body.copy(message, 8);
  return message;
}

/** The status byte of the last ReadyForQuery in a run of backend messages, if any. */
function readyStatus(output) {
  let status;
  for (let at = 0; at + 5 <= output.length; ) {
    const length = output.readInt32BE(at + 1);
    if (output[at] === 0x5a) status = String.fromCharCode(output[at + 5]);
    at += 1 + length;
  }
  return status;
}

/** An ErrorResponse with severity FATAL and SQLSTATE 28000 (invalid authorization). */
function fatal(message) {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C28000\0M${message}\0\0`);
  const header = Buffer.alloc(5);
  header[0] = 0x45; // 'E'
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

const DROP_DATABASE = /\bDROP\s+DATABASE\s+(?:IF\s+EXISTS\s+)?"?([A-Za-z0-9_]+)"?/i;

/** Serves one client connection once its startup message has arrived. */
async function serve(socket, startup, rest) {
  const params = startupParams(startup);
  const user = params.user ?? SUPERUSER;
  const target = await database(params.database ?? "postgres");
  const connection = { socket };
  target.connections.add(connection);
  let pending = rest;
  let chain = Promise.resolve();
  let ended = false;

  const run = async (message) => {
    await target.acquire(connection);
    if (ended || target.closed) return target.release(connection);
    try {
      await target.actAs(user);
    } catch (error) {
      // As a server refuses an unknown login role: a FATAL error, then the connection ends.
      target.release(connection);
      socket.end(fatal(String(error.message ?? error)));
      ended = true;
      return;
    }
    const chunks = [];
    await target.db.execProtocolRawStream(message, {
      onRawData: (data) => chunks.push(Buffer.from(data)),
    });
    const output = Buffer.concat(chunks);
    if (output.length && socket.writable) socket.write(output);
    // Idle after this message: the turn ends; in a transaction or mid-exchange, it goes on.
    if (readyStatus(output) === "I") target.release(connection);
  };

  const end = async () => {
    if (ended) return;
    ended = true;
    target.connections.delete(connection);
    await chain;
    if (target.holder === connection) {
      if (!target.closed && target.db.isInTransaction()) await target.db.exec("ROLLBACK");
      target.release(connection);
    }
  };

  const take = (data) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    while (pending.length >= 5) {
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) break;
      const message = pending.subarray(0, 1 + length);
      pending = pending.subarray(1 + length);
      const type = String.fromCharCode(message[0]);
      if (type === "X") {
        socket.end();
        return;
      }
      if (type === "Q" || type === "P") {
        const dropped = message.subarray(5).toString("utf8").match(DROP_DATABASE);
        if (dropped) chain = chain.then(() => setTimeout(() => drop(dropped[1]), 0));
      }
      enqueue(message);
    }
  };

  const enqueue = (message) => {
    chain = chain
      .then(() => run(new Uint8Array(message)))
      .catch((error) => {
        console.error(`pglite-server: ${error?.message ?? error}`);
        if (target.holder === connection) target.release(connection);
        socket.destroy();
      });
  };

  socket.on("data", take);
  socket.once("close", end);
  // The startup message itself, as the superuser whose session this is (the login role is
  // applied per turn above): PGlite answers with AuthenticationOk and ReadyForQuery.
  enqueue(startupMessage({ ...params, user: SUPERUSER }));
  take(Buffer.alloc(0));
  socket.resume();
}

const router = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on("error", () => {});
  let buffered = Buffer.alloc(0);
  const onData = (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8) {
      const length = buffered.readInt32BE(0);
      if (buffered.length < length) return;
      const code = buffered.readInt32BE(4);
      const message = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        socket.write("N");
        continue;
      }
      socket.off("data", onData);
      socket.pause(); // until serve() listens: data with no listener would be lost
      if (code === CANCEL_REQUEST) {
        socket.destroy();
        return;
      }
      serve(socket, message, buffered).catch((error) => {
        console.error(`pglite-server: ${error}`);
        socket.destroy();
      });
      return;
    }
  };
  socket.on("data", onData);
});

const port = Number(process.argv[2] ?? 0);
router.listen(port, "127.0.0.1", async () => {
  await template;
  console.log(`listening postgres://postgres@127.0.0.1:${router.address().port}/postgres`);
});

async function shutdown() {
  router.close();
  await Promise.allSettled([...databases.keys()].map(drop));
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
