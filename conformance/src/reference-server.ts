/** Starts the reference server in-process over a backend, for running the suite against it. */
import { randomBytes } from "node:crypto";
import type { Backend } from "@cairn/core";
import { createApp, startServer } from "@cairn/server";

export type BackendFactory = () => Backend | Promise<Backend>;

export interface ReferenceServerOptions {
  createBackend: BackendFactory;
  /** The key clients must send (default: a random one). */
  apiKey?: string;
}

export interface ReferenceServer {
  /** e.g. `http://127.0.0.1:53124` */
  readonly baseUrl: string;
  readonly apiKey: string;
  close(): Promise<void>;
}

/**
 * Starts `@cairn/server` on 127.0.0.1 with a random port over the backend the factory returns;
 * `close()` stops the server and then closes the backend.
 * @example
 * const server = await startReferenceServer({ createBackend: () => createMemoryBackend() });
 * const report = await runConformance({ baseUrl: server.baseUrl, apiKey: server.apiKey });
 * await server.close();
 */
export async function startReferenceServer(
  options: ReferenceServerOptions,
): Promise<ReferenceServer> {
  const apiKey = options.apiKey ?? `conformance-${randomBytes(12).toString("hex")}`;
  const backend = await options.createBackend();
  const app = createApp({ backend, apiKey });
  const server = await startServer({ app, port: 0, host: "127.0.0.1" });
  return {
    baseUrl: server.url,
    apiKey,
    close: async () => {
      await server.close();
      await backend.close?.();
    },
  };
}
