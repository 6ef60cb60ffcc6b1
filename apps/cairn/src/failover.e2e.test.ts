/**
 * Failover with `Idempotency-Key`: two real `cairn serve` replicas on one
 * database, 16 clients appending 600 lines, one replica SIGKILLed mid-load.
 * Every client retries on the other replica with the same key: each line is
 * there exactly once, and no operation is refused as `idempotency_in_progress`
 * for longer than a few seconds (the dead replica's claims are not renewed, so
 * their short lease runs out). A request the dead replica had committed but not
 * answered is never run again: the retry gets `idempotency_response_lost`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, duplicates, linesOf, pool, problemOf, type Reply, sleep } from "./test-http.js";
import { createDatabase, type TestDatabase } from "./test-postgres.js";
import { type CairnServer, startCairn } from "./test-process.js";

const KEY = "failover-e2e-key-0123456789";
const OPS = 600;
const CLIENTS = 16;

interface OpResult {
  attempts: number;
  /** Committed by the killed replica, which died before storing its answer. */
  responseLost: boolean;
  /** From the first `idempotency_in_progress` to the answer (0 when never refused). */
  refusedMs: number;
}

describe("failover: a replica dies mid-load, clients retry elsewhere with the same key", () => {
  let db: TestDatabase;
  const servers: CairnServer[] = [];

  beforeAll(async () => {
    db = await createDatabase();
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startCairn({ apiKey: KEY, databaseUrl: db.url, args: ["--audit-log", "off"] }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await db?.drop();
  }, 60_000);

  it("600 keyed appends, one replica SIGKILLed: 0 lost, 0 duplicated, no long refusals", async () => {
    const apis = servers.map((s) => new Api(s.url, KEY));
    const dead = new Set<number>();
    const { id } = await apis[0]!.createSandbox();
    let done = 0;

    const append = async (i: number): Promise<OpResult> => {
      let replica = i % 2;
      let refusedSince: number | undefined;
      for (let attempts = 1; ; attempts++) {
        if (dead.has(replica)) replica = 1 - replica;
        let reply: Reply | undefined;
        try {
          reply = await apis[replica]!.request("POST", `/v1/sandboxes/${id}/exec`, {
            json: { script: `echo line-${i} >> /f` },
            headers: { "idempotency-key": `append-${i}` },
            timeoutMs: 30_000,
          });
        } catch {
          // The replica is gone (connection refused or reset): the other one takes the retry.
          replica = 1 - replica;
          continue;
        }
        const problem = problemOf(reply);
        const refusedMs = refusedSince ? Date.now() - refusedSince : 0;
        if (reply.status === 200) {
          done++;
          return { attempts, refusedMs, responseLost: false };
        }
        if (problem?.code === "idempotency_response_lost") {
          done++;
          return { attempts, refusedMs, responseLost: true };
        }
        if (problem?.code === "idempotency_in_progress") refusedSince ??= Date.now();
        if (!problem?.retryable) throw new Error(`append ${i}: ${reply.status} ${reply.text}`);
        if (attempts > 2000) throw new Error(`append ${i}: still refused after ${attempts} tries`);
        await sleep(20 + Math.random() * 30);
      }
    };

    const killer = (async () => {
      while (done < OPS / 4) await sleep(5);
      dead.add(1);
      await servers[1]!.kill();
    })();
    const started = Date.now();
    const results = await pool(OPS, CLIENTS, append);
    await killer;
    const refused = results.filter((r) => r.refusedMs > 0);
    const longest = Math.max(0, ...results.map((r) => r.refusedMs));
    console.log(
      `[failover] ${OPS} appends in ${Date.now() - started} ms; ${refused.length} were refused ` +
        `as in progress for up to ${longest} ms; ${results.reduce((n, r) => n + r.attempts, 0)} attempts; ` +
        `${results.filter((r) => r.responseLost).length} committed by the dead replica without an answer`,
    );

    const reply = await apis[0]!.readFile(id, "/f");
    expect(reply.status).toBe(200);
    const lines = linesOf(reply.text);
    // The key is marked applied in the commit's own transaction: even an append the killed
    // replica committed in its last milliseconds, before storing its answer, is not run again.
    expect([...duplicates(lines)], "duplicated lines").toEqual([]);
    const present = new Set(lines);
    const lost = Array.from({ length: OPS }, (_, i) => `line-${i}`).filter((l) => !present.has(l));
    expect(lost, "lost lines").toEqual([]);
    expect(lines.length).toBe(OPS);
    // The lease is 6 s, renewed every 2 s by a live holder: a dead one's claims free up by then.
    expect(longest).toBeLessThan(10_000);
  }, 300_000);
});
