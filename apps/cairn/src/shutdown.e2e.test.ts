/**
 * Graceful shutdown of a real `cairn serve` on real Postgres: on SIGTERM it
 * takes no new work, lets in-flight scripts (plain and streamed) finish within
 * --drain-timeout-ms, and past that aborts them: nothing of theirs is
 * committed, the plain one gets a retryable 503 and the stream a retryable
 * error event; then it exits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, problemOf, type Reply, sleep } from "./test-http.js";
import { createDatabase, type TestDatabase } from "./test-postgres.js";
import { type CairnServer, exitOf, startCairn } from "./test-process.js";

const KEY = "shutdown-e2e-key-0123456789";

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Starts a streamed exec; resolves with every event once the server ends the stream. */
async function streamExec(api: Api, id: string, script: string): Promise<SseEvent[]> {
  const res = await fetch(`${api.url}/v1/sandboxes/${id}/exec`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${api.apiKey}`,
      accept: "text/event-stream",
      "content-type": "application/json",
    },
    body: JSON.stringify({ script }),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  return [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({
    event: m[1]!,
    data: JSON.parse(m[2]!) as Record<string, unknown>,
  }));
}

describe("graceful shutdown on SIGTERM (PostgreSQL, real processes)", () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function start(drainMs: number): Promise<{ server: CairnServer; api: Api }> {
    const server = await startCairn({
      apiKey: KEY,
      databaseUrl: db.url,
      args: ["--drain-timeout-ms", String(drainMs), "--audit-log", "off", "--script-workers", "2"],
    });
    return { server, api: new Api(server.url, KEY) };
  }

  it("lets in-flight scripts and streams finish, refuses new work, then exits", async () => {
    const { server, api } = await start(20_000);
    // Two sandboxes: a streamed exec is never re-run, so a concurrent commit would be a conflict.
    const box = await api.createSandbox();
    const other = await api.createSandbox();
    const plain = api.exec(box.id, "sleep 1.5; echo done > /plain; echo ok");
    const stream = streamExec(
      api,
      other.id,
      "echo start; sleep 1.5; echo end > /streamed; echo end",
    );
    await sleep(400);
    server.child.kill("SIGTERM");
    await sleep(200);
    // New work is refused: a fresh connection is not accepted, or gets a retryable 503.
    const late: Reply | Error = await api
      .request("GET", "/v1/sandboxes")
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    if (!(late instanceof Error)) {
      expect(late.status).toBe(503);
      expect(problemOf(late)).toMatchObject({ code: "unavailable", retryable: true });
    }
    const reply = await plain;
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({ stdout: "ok\n", commit: { status: "committed" } });
    const events = await stream;
    expect(events.at(-1)).toMatchObject({
      event: "exit",
      data: { commit: { status: "committed" } },
    });
    expect(await exitOf(server.child), JSON.stringify(server.output())).toBe(0);
    expect(server.output().stdout).toMatch(/SIGTERM: draining/);

    const again = await start(20_000);
    try {
      expect((await again.api.readFile(box.id, "/plain")).text).toBe("done\n");
      expect((await again.api.readFile(other.id, "/streamed")).text).toBe("end\n");
    } finally {
      await again.server.stop();
    }
  }, 120_000);

  it("past the deadline aborts what still runs: nothing committed, retryable answers", async () => {
    const { server, api } = await start(600);
    const box = await api.createSandbox();
    const other = await api.createSandbox();
    const plain = api.exec(box.id, "echo x > /late-plain; sleep 20; echo never");
    const stream = streamExec(
      api,
      other.id,
      "echo start; echo x > /late-stream; sleep 20; echo end",
    );
    await sleep(500);
    const stopped = Date.now();
    server.child.kill("SIGTERM");
    const reply = await plain;
    expect(reply.status, reply.text).toBe(503);
    expect(problemOf(reply)).toMatchObject({ code: "unavailable", retryable: true });
    expect(reply.headers.get("retry-after")).toBe("1");
    const events = await stream;
    expect(events[0]).toMatchObject({ event: "stdout", data: { data: "start\n" } });
    expect(events.at(-1)).toMatchObject({
      event: "error",
      data: { code: "unavailable", retryable: true },
    });
    expect(await exitOf(server.child), JSON.stringify(server.output())).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(15_000);

    const again = await start(20_000);
    try {
      expect((await again.api.readFile(box.id, "/late-plain")).status).toBe(404);
      expect((await again.api.readFile(other.id, "/late-stream")).status).toBe(404);
      for (const sandbox of [box, other]) {
        const record = await again.api.request("GET", `/v1/sandboxes/${sandbox.id}`);
        expect((record.json as { version: number }).version).toBe(sandbox.version);
      }
    } finally {
      await again.server.stop();
    }
  }, 120_000);
});
