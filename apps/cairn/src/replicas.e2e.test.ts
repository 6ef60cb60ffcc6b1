/**
 * Two real `cairn serve` processes on one database: the sandbox version in
 * Postgres is the only fence between them. Concurrent appends through either
 * replica must all survive exactly once (a peer's stale replica once rebuilt
 * `echo x >> f` from cached content and erased the other replica's line).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, duplicates, linesOf, pool, problemOf, type Reply, sleep } from "./test-http.js";
import { adminPool, checkIntegrity, createDatabase, type TestDatabase } from "./test-postgres.js";
import { type CairnServer, hasExited, startCairn } from "./test-process.js";

const KEY = "replicas-e2e-key-0123456789";

describe("two replicas on one database", () => {
  let db: TestDatabase | undefined;
  const servers: CairnServer[] = [];
  let apis: Api[] = [];

  beforeAll(async () => {
    db = await createDatabase();
    // One at a time: both migrate at boot (under an advisory lock), the second finds nothing to do.
    servers.push(await startCairn({ apiKey: KEY, databaseUrl: db.url }));
    servers.push(await startCairn({ apiKey: KEY, databaseUrl: db.url }));
    apis = servers.map((s) => new Api(s.url, KEY));
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await db?.drop();
  }, 60_000);

  /** Sends `send()` until it is not a retryable 409; returns the final reply and the retries. */
  async function withConflictRetries(
    send: () => Promise<Reply>,
  ): Promise<{ reply: Reply; retries: number }> {
    for (let retries = 0; ; retries++) {
      const reply = await send();
      const problem = problemOf(reply);
      if (reply.status !== 409 || problem?.code !== "conflict" || problem.retryable !== true) {
        return { reply, retries };
      }
      if (retries >= 50) throw new Error(`still conflicting after ${retries} retries`);
      await sleep(Math.random() * 20);
    }
  }

  it("1,000 concurrent exec appends across both replicas: every line exactly once", async () => {
    const N = 1000;
    const { id } = await apis[0]!.createSandbox();
    const started = performance.now();
    const results = await pool(N, 100, (i) =>
      withConflictRetries(() => apis[i % 2]!.exec(id, `echo line-${i} >> /f`)),
    );
    const elapsed = performance.now() - started;

    const unexpected = results
      .map((r, i) => ({ i, status: r.reply.status, body: r.reply.text }))
      .filter((r) => r.status !== 200);
    expect(unexpected.slice(0, 5), `${unexpected.length} requests did not get 200`).toEqual([]);
    const conflicts = results.reduce((n, r) => n + r.retries, 0);
    const retried = results.filter((r) => r.retries > 0).length;
    console.log(
      `[replicas] exec appends: ${N} in ${Math.round(elapsed)} ms; ` +
        `${conflicts} retryable 409 conflicts answered (${retried} requests retried)`,
    );

    // Every committed version is distinct: each append was its own commit.
    const versions = results.map(
      (r) => (r.reply.json as { commit: { status: string; version: number } }).commit,
    );
    expect(versions.every((c) => c.status === "committed")).toBe(true);
    expect(new Set(versions.map((c) => c.version)).size).toBe(N);

    for (const api of apis) {
      const reply = await api.readFile(id, "/f");
      expect(reply.status).toBe(200);
      const lines = linesOf(reply.text);
      expect([...duplicates(lines)], "duplicated lines").toEqual([]);
      const expected = Array.from({ length: N }, (_, i) => `line-${i}`);
      const present = new Set(lines);
      expect(
        expected.filter((l) => !present.has(l)),
        "lost lines",
      ).toEqual([]);
      expect(lines.length).toBe(N);
    }
  }, 120_000);

  it("1,000 file-API appends (GET + PUT If-Match, retry on 412) across both replicas", async () => {
    const FILES = 10;
    const PER_FILE = 100;
    const IN_FLIGHT_PER_FILE = 5;
    const { id } = await apis[0]!.createSandbox({
      files: Array.from({ length: FILES }, (_, f) => ({ path: `/cas/f${f}`, content: "" })),
    });
    let requests = 0;
    let preconditionFailures = 0;
    let conflicts = 0;
    let turn = 0;

    /** Appends one line to one file with a compare-and-set loop, alternating replicas. */
    async function append(file: number, line: string): Promise<void> {
      for (let attempt = 0; attempt < 500; attempt++) {
        const api = apis[turn++ % 2]!;
        const read = await api.readFile(id, `/cas/f${file}`);
        requests++;
        expect(read.status, read.text).toBe(200);
        const etag = read.headers.get("etag");
        expect(etag).toMatch(/^".*"$/);
        const write = await apis[turn++ % 2]!.writeFile(
          id,
          `/cas/f${file}`,
          `${read.text}${line}\n`,
          { "if-match": etag! },
        );
        requests++;
        if (write.status === 200) return;
        const problem = problemOf(write);
        if (write.status === 412 && problem?.code === "precondition_failed") {
          preconditionFailures++;
        } else if (write.status === 409 && problem?.code === "conflict" && problem.retryable) {
          conflicts++;
        } else {
          throw new Error(`unexpected reply to PUT: ${write.status} ${write.text}`);
        }
        await sleep(Math.random() * 3 * Math.min(attempt + 1, 5));
      }
      throw new Error(`no successful append of ${line} after 500 attempts`);
    }

    const started = performance.now();
    await Promise.all(
      Array.from({ length: FILES }, (_, file) =>
        pool(PER_FILE, IN_FLIGHT_PER_FILE, (n) => append(file, `f${file}-line-${n}`)),
      ),
    );
    const elapsed = performance.now() - started;
    console.log(
      `[replicas] file CAS appends: ${FILES * PER_FILE} in ${Math.round(elapsed)} ms, ` +
        `${requests} requests, ${preconditionFailures} answered 412, ${conflicts} answered 409`,
    );

    for (let file = 0; file < FILES; file++) {
      const reply = await apis[file % 2]!.readFile(id, `/cas/f${file}`);
      expect(reply.status).toBe(200);
      const lines = linesOf(reply.text);
      expect([...duplicates(lines)], `duplicated lines in f${file}`).toEqual([]);
      const present = new Set(lines);
      const lost = Array.from({ length: PER_FILE }, (_, n) => `f${file}-line-${n}`).filter(
        (l) => !present.has(l),
      );
      expect(lost, `lost lines in f${file}`).toEqual([]);
      expect(lines.length).toBe(PER_FILE);
    }
  }, 150_000);

  it("leaves a consistent tree and both replicas running", async () => {
    const admin = adminPool(db!.url);
    try {
      const report = await checkIntegrity(admin);
      expect(report.violations).toEqual({});
    } finally {
      await admin.end();
    }
    for (const server of servers)
      expect(hasExited(server.child), server.output().stderr).toBe(false);
  });

  it("a watcher on one replica sees every commit made through the other, in order, once", async () => {
    const { id } = await apis[0]!.createSandbox();
    const controller = new AbortController();
    const res = await fetch(`${servers[0]!.url}/v1/sandboxes/${id}/events`, {
      headers: { authorization: `Bearer ${KEY}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const versions: number[] = [];
    let buffer = "";
    const N = 20;
    const reading = (async () => {
      while (versions.length < N) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const blocks = buffer.split("\n\n");
        buffer = blocks.pop() ?? "";
        for (const block of blocks) {
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          if (id && /^event: commit$/m.test(block)) versions.push(Number(id));
        }
      }
    })();
    for (let i = 0; i < N; i++) {
      const reply = await apis[1]!.exec(id, `echo ${i} > /f${i}`);
      expect(reply.status).toBe(200);
    }
    await reading;
    controller.abort();
    expect(versions).toEqual(Array.from({ length: N }, (_, i) => i + 2));
  });
});
