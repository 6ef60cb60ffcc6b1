/**
 * Postgres goes away under load, and the real server must ride it out: every
 * request either succeeds or fails with a problem+json that says truthfully
 * whether it was applied, the process never exits, it recovers on its own once
 * the database is back, and every acknowledged write is still there.
 *
 * Runs on a private PostgreSQL cluster (initdb in a temp dir, its own port), never
 * on the machine's shared server, which other suites use concurrently.
 */
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, duplicates, linesOf, problemOf, sleep } from "./test-http.js";
import {
  adminPool,
  checkIntegrity,
  PrivateCluster,
  privateClusterUnavailable,
} from "./test-postgres.js";
import { type CairnServer, startCairn } from "./test-process.js";

const KEY = "pg-restart-e2e-key-0123456789";
const CLIENTS = 8;
const BEFORE_MS = 1500;
const AFTER_MS = 2000;
/** Once Postgres is back, a write succeeds within this (plenty on a loaded 2-core machine). */
const RECOVERY_BOUND_MS = 5000;
/** No request may take longer than this, outage or not. */
const REQUEST_BOUND_MS = 5000;
/** The load's clients give up on a request after this long (and the test fails). */
const CLIENT_TIMEOUT_MS = 15_000;
const unavailable = privateClusterUnavailable();

type Op = "exec-append" | "put-file" | "create";

interface Outcome {
  op: Op;
  key: string;
  start: number;
  end: number;
  status?: number;
  code?: string;
  retryable?: boolean;
  /** No HTTP response at all (connection dropped, client timeout). */
  error?: string;
  /** An exec's exit code, when it answered 200. */
  exitCode?: number;
  body?: string;
}

/** A disruption of the database while load runs; resolves once the database is back. */
type Disruption = (cluster: PrivateCluster, admin: Sql) => Promise<void>;

describe.skipIf(unavailable !== undefined)(
  `Postgres restarted under load${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    let cluster: PrivateCluster | undefined;
    let admin: Sql | undefined;
    let server: CairnServer | undefined;
    let api: Api;
    let serverExit: string | undefined;

    beforeAll(async () => {
      cluster = await PrivateCluster.create();
      await cluster.createDatabase("cairn");
      admin = adminPool(cluster.url("cairn"), 2);
      server = await startCairn({ apiKey: KEY, databaseUrl: cluster.url("cairn") });
      server.child.once("exit", (code, signal) => {
        serverExit = `exited with code ${code}, signal ${signal}`;
      });
      api = new Api(server.url, KEY);
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      await admin?.end({ timeout: 1 });
      cluster?.remove();
    }, 60_000);

    /** Runs `CLIENTS` writers until stopped; each request writes something unique. */
    function startLoad(logSandbox: string, filesSandbox: string, tag: string) {
      const outcomes: Outcome[] = [];
      let stopped = false;
      async function client(c: number) {
        for (let n = 0; !stopped; n++) {
          const key = `${tag}-c${c}-${n}`;
          const op: Op = n % 10 === 9 ? "create" : c % 2 === 0 ? "exec-append" : "put-file";
          const outcome: Outcome = { op, key, start: performance.now(), end: 0 };
          try {
            const reply =
              op === "exec-append"
                ? await api.exec(logSandbox, `echo ${key} >> /log`, {}, CLIENT_TIMEOUT_MS)
                : op === "put-file"
                  ? await api.writeFile(filesSandbox, `/w/${key}`, key, {}, CLIENT_TIMEOUT_MS)
                  : await api.request("POST", "/v1/sandboxes", {
                      json: { name: key, files: [{ path: "/seed", content: key }] },
                      timeoutMs: CLIENT_TIMEOUT_MS,
                    });
            outcome.status = reply.status;
            const problem = problemOf(reply);
            if (problem) {
              outcome.code = problem.code;
              outcome.retryable = problem.retryable;
              outcome.body = problem.detail;
            } else if (reply.status >= 300) {
              outcome.body = reply.text.slice(0, 300);
            } else if (op === "exec-append") {
              const result = JSON.parse(reply.text) as { exitCode: number; stderr: string };
              outcome.exitCode = result.exitCode;
              if (result.exitCode !== 0) outcome.body = result.stderr.slice(0, 300);
            }
          } catch (error) {
            outcome.error = String((error as Error).cause ?? error);
          }
          outcome.end = performance.now();
          outcomes.push(outcome);
          // Failing fast while the database is down: do not spin.
          if (outcome.status !== undefined && outcome.status >= 500) await sleep(20);
        }
      }
      const running = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      return {
        outcomes,
        async stop() {
          stopped = true;
          await running;
        },
      };
    }

    /** Once the load is over: 20 writes in a row succeed, on the same server process. */
    async function expectHealthy(sandbox: string): Promise<void> {
      for (let i = 0; i < 20; i++) {
        const reply = await api.exec(sandbox, `echo again-${i} >> /recovered`);
        expect(reply.status, reply.text).toBe(200);
      }
    }

    async function scenario(name: string, disrupt: Disruption) {
      const log = await api.createSandbox({ name: `${name}-log` });
      const files = await api.createSandbox({ name: `${name}-files` });
      const load = startLoad(log.id, files.id, name);
      await sleep(BEFORE_MS);
      const disruptedAt = performance.now();
      await disrupt(cluster!, admin!);
      const restoredAt = performance.now();
      await sleep(AFTER_MS);
      await load.stop();
      // One bad connection fails one request; it must never take the process down.
      expect(
        serverExit,
        `the server died: ${server!.output().stderr.slice(-3000)}`,
      ).toBeUndefined();
      // For failure messages: what the server's sessions are doing now.
      const sessions = JSON.stringify(
        await admin!`
          SELECT pid, state, now() - xact_start AS in_transaction_for, left(query, 80) AS query
          FROM pg_stat_activity WHERE application_name = 'cairn'`,
      );
      await expectHealthy(log.id);
      const { outcomes } = load;

      // 1. Every reply is a success or an honest problem.
      const ok = outcomes.filter((o) => o.status === 200 || o.status === 201);
      const notApplied = outcomes.filter(
        (o) =>
          o.retryable === true &&
          ((o.status === 503 && o.code === "unavailable") ||
            (o.status === 409 && o.code === "conflict")),
      );
      const unknown = outcomes.filter(
        (o) => o.status === 503 && o.code === "unavailable" && o.retryable === false,
      );
      const other = outcomes.filter(
        (o) => !ok.includes(o) && !notApplied.includes(o) && !unknown.includes(o),
      );
      const inFlight = (o: Outcome) => o.start <= restoredAt && o.end >= disruptedAt;
      const firstSuccessAfter = Math.min(
        ...ok.filter((o) => o.start >= restoredAt).map((o) => o.end - restoredAt),
      );
      const slowest = outcomes.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      console.log(
        `[pg-restart] ${name}: ${outcomes.length} requests: ${ok.length} succeeded, ` +
          `${notApplied.length} retryable (not applied), ${unknown.length} unknown; ` +
          `database out for ${Math.round(restoredAt - disruptedAt)} ms; first success ` +
          `${Math.round(firstSuccessAfter)} ms after it was back; slowest request ` +
          `${Math.round(slowest.end - slowest.start)} ms`,
      );
      expect(
        other.slice(0, 5),
        `${other.length} requests failed otherwise; cairn's sessions afterwards: ${sessions}`,
      ).toEqual([]);
      expect(
        unknown.filter((o) => !inFlight(o)),
        "'applied: unknown' outside the disruption",
      ).toEqual([]);
      // Load before the disruption went through, and the same process serves again soon after.
      expect(ok.some((o) => o.end < disruptedAt)).toBe(true);
      expect(firstSuccessAfter, "first success once the database was back").toBeLessThan(
        RECOVERY_BOUND_MS,
      );
      // No request hangs: each one is answered (success or problem) within a bounded time.
      const slow = outcomes
        .filter((o) => o.end - o.start > REQUEST_BOUND_MS)
        .map((o) =>
          JSON.stringify({
            ...o,
            ms: Math.round(o.end - o.start),
            startedAfterDisruption: Math.round(o.start - disruptedAt),
          }),
        );
      expect(
        slow,
        `requests slower than ${REQUEST_BOUND_MS} ms; cairn's sessions afterwards: ${sessions}`,
      ).toEqual([]);

      // A database failure under a script is the request's failure (503), never the script's:
      // `echo >> /log` that answered 200 with a non-zero exit would be an outage in disguise.
      expect(
        ok
          .filter((o) => o.exitCode !== undefined && o.exitCode !== 0)
          .map((o) => JSON.stringify(o)),
        "exec answered 200 with a failed script",
      ).toEqual([]);

      // 2. Acknowledged writes are there exactly once; retryable failures left no trace.
      const logReply = await api.readFile(log.id, "/log");
      const logLines = logReply.status === 404 ? [] : linesOf(logReply.text);
      expect([...duplicates(logLines)], "duplicated log lines").toEqual([]);
      const inLog = new Set(logLines);
      const listing = await api.execOk(files.id, "ls /w 2>/dev/null || true");
      const inFiles = new Set(linesOf(listing.stdout));
      const created = new Set(
        (
          await admin!<Array<{ name: string }>>`
            SELECT name FROM sandboxes WHERE name LIKE ${`${name}-c%`}`
        ).map((r) => r.name),
      );
      const stored = (o: Outcome) =>
        o.op === "exec-append"
          ? inLog.has(o.key)
          : o.op === "put-file"
            ? inFiles.has(o.key)
            : created.has(o.key);
      expect(
        ok.filter((o) => !stored(o)).map((o) => `${o.op} ${o.key}`),
        "acknowledged but lost",
      ).toEqual([]);
      expect(
        notApplied.filter(stored).map((o) => JSON.stringify(o)),
        "said retryable (nothing applied) but stored",
      ).toEqual([]);
      // Nothing appears that no request wrote.
      const keys = new Set(outcomes.map((o) => o.key));
      expect(logLines.filter((l) => !keys.has(l))).toEqual([]);
      expect([...inFiles].filter((f) => !keys.has(f))).toEqual([]);
      const unknownStored = unknown.filter(stored).length;
      console.log(
        `[pg-restart] ${name}: of ${unknown.length} 'unknown' outcomes, ${unknownStored} were applied`,
      );

      // 3. The stored trees are intact.
      const report = await checkIntegrity(admin!);
      expect(report.violations).toEqual({});
    }

    it("pg_ctl restart -m fast", async () => {
      await scenario("fast", (c) => c.restart("fast"));
    }, 60_000);

    it("pg_ctl restart -m immediate (crash recovery)", async () => {
      await scenario("immediate", (c) => c.restart("immediate"));
    }, 60_000);

    it("pg_terminate_backend on every cairn session, repeatedly", async () => {
      await scenario("terminate", async (_c, sql) => {
        for (let i = 0; i < 12; i++) {
          await sql`
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cairn'`;
          await sleep(100);
        }
      });
    }, 60_000);
  },
);
