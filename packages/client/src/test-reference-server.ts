/** Test support: the reference server on the memory backend over real HTTP, and a client for it. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { Cairn } from "./cairn.js";

export const REFERENCE_API_KEY = "client-test-key-0123456789";

/** Starts the server on a free port; close `server` when done. */
export async function startReference(): Promise<{ server: RunningServer; cairn: Cairn }> {
  const server = await startServer({
    app: createApp({ backend: createMemoryBackend(), apiKey: REFERENCE_API_KEY }),
    port: 0,
  });
  return { server, cairn: new Cairn({ baseUrl: server.url, apiKey: REFERENCE_API_KEY }) };
}
