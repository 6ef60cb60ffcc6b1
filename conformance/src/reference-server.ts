/** Starts the reference server in-process over a backend, for running the suite against it. */
import { randomBytes } from "node:crypto";
import { type Backend, type Embedder, issueApiKey, WorkerPool } from "@cairn/core";
import { createApp, startSemanticSearch, startServer } from "@cairn/server";

export type BackendFactory = () => Backend | Promise<Backend>;

/** The reference server's limits where they differ from the defaults. */
export const REFERENCE_LIMITS = { sandboxMaxBytes: 32 << 20, sandboxMaxFiles: 3000 };

export interface ReferenceServerOptions {
  createBackend: BackendFactory;
  /** The key clients must send (default: a random one). */
  apiKey?: string;
  /** Script worker threads, as `cairn serve` runs them (default 2; 0 runs scripts on the server's thread). */
  scriptWorkers?: number;
  /** Turns semantic search on with this embedder (off by default, as in `cairn serve`). */
  embedder?: Embedder;
}

export interface ReferenceServer {
  /** e.g. `http://127.0.0.1:53124` */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** An admin key (stored keys on), when the backend has a key store. */
  readonly adminApiKey?: string;
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
  // With a key store, stored keys are on too, and an admin key is minted the way
  // `cairn token create --admin` does: straight in the store, never over HTTP.
  const keys = backend.keys;
  const auth = keys ? { keys: true } : undefined;
  // Quotas small enough that the quota cases can reach them cheaply; the rest as shipped.
  const workers = options.scriptWorkers ?? 2;
  const runner = workers > 0 ? new WorkerPool({ workers }) : undefined;
  const semantic = options.embedder
    ? startSemanticSearch({ backend, embedder: options.embedder })
    : undefined;
  const app = createApp({ backend, apiKey, limits: REFERENCE_LIMITS, auth, runner, semantic });
  const admin = keys && (await issueApiKey(keys, { tenantId: null, scopes: ["admin"] }));
  const server = await startServer({ app, port: 0, host: "127.0.0.1" });
  return {
    baseUrl: server.url,
    apiKey,
    adminApiKey: admin?.key,
    close: async () => {
      await server.close();
      await semantic?.close();
      await runner?.close();
      await backend.close?.();
    },
  };
}
