/** Test support: a real Cairn server over HTTP on the memory backend or on the machine's Postgres. */
import { randomBytes } from "node:crypto";
import { createMemoryBackend } from "@cairn/backend-memory";
import { connect, createPostgresBackend, migrate } from "@cairn/backend-postgres";
import { Cairn } from "@cairn/client";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import type { Tool } from "ai";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";

export type BackendKind = "memory" | "postgres";
export const BACKENDS: BackendKind[] = ["memory", "postgres"];

const ADMIN_URL =
  process.env.CAIRN_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const API_KEY = "ai-test-key-0123456789abcdef";

/**
 * Starts a Cairn server on an ephemeral port for the suite in which this is called (on Postgres,
 * in a fresh database dropped afterwards) and returns a getter for a client pointed at it.
 */
export function useCairn(kind: BackendKind): () => Cairn {
  let server: RunningServer | undefined;
  let cairn: Cairn | undefined;
  let cleanup = async () => {};
  beforeAll(async () => {
    let backend = createMemoryBackend();
    if (kind === "postgres") {
      const name = `cairn_test_${randomBytes(6).toString("hex")}`;
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(ADMIN_URL);
      url.pathname = `/${name}`;
      const sql = connect(url.toString(), { max: 5 });
      await migrate(sql);
      backend = createPostgresBackend({ sql });
      cleanup = async () => {
        await sql.end({ timeout: 5 }).catch(() => {});
        const admin2 = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
        await admin2.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin2.end();
      };
    }
    server = await startServer({ app: createApp({ backend, apiKey: API_KEY }), port: 0 });
    cairn = new Cairn({ baseUrl: server.url, apiKey: API_KEY });
  });
  afterAll(async () => {
    await server?.close();
    await cleanup();
  });
  return () => {
    if (!cairn) throw new Error("the Cairn server runs only inside tests");
    return cairn;
  };
}

/** Runs a tool's `execute` as the AI SDK would, outside a model loop. */
export async function call<I, O>(t: Tool<I, O>, input: I): Promise<O> {
  if (!t.execute) throw new Error("the tool has no execute function");
  return (await t.execute(input, { toolCallId: "call-1", messages: [] })) as O;
}
