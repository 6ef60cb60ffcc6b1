/**
 * Test support: a real Cairn server over HTTP on the memory backend. (The tools themselves are
 * tested on Postgres too, in @cairn/ai; here the subject is the agent loop.)
 */
import { createMemoryBackend } from "@cairn/backend-memory";
import { Cairn } from "@cairn/client";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { afterAll, beforeAll } from "vitest";

const API_KEY = "agent-example-key-0123456789";

/** Starts a Cairn server on an ephemeral port for the suite; returns a getter for a client. */
export function useCairn(): () => Cairn {
  let server: RunningServer | undefined;
  let cairn: Cairn | undefined;
  beforeAll(async () => {
    server = await startServer({
      app: createApp({ backend: createMemoryBackend(), apiKey: API_KEY }),
      port: 0,
    });
    cairn = new Cairn({ baseUrl: server.url, apiKey: API_KEY });
  });
  afterAll(() => server?.close());
  return () => {
    if (!cairn) throw new Error("the Cairn server runs only inside tests");
    return cairn;
  };
}
