/**
 * A Cairn server in its own process, so its RSS is measured alone. Forked by
 * the bench with an IPC channel (and --expose-gc):
 *   argv: <databaseUrl> <treeCacheBytes|default> <contentCacheBytes|default>
 *   → { type: "ready", url, memory }
 *   ← { type: "measure" }  → { type: "memory", memory, afterGc }
 *   ← { type: "stop" }     → exits after closing the server and the pool
 */
import { connect, createPostgresBackend } from "@cairn/backend-postgres";
import { SandboxService } from "@cairn/core";
import { createApp, startServer } from "@cairn/server";
import {
  type ChildMessage,
  type MemoryFigures,
  type ParentMessage,
  RSS_API_KEY,
} from "./rss-protocol.js";

function memory(): MemoryFigures {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function main(): Promise<void> {
  const [url, treeArg, contentArg] = process.argv.slice(2);
  if (!url || !process.send) throw new Error("rss-server must be forked with an IPC channel");
  const budget = (arg: string | undefined) =>
    arg === undefined || arg === "default" ? undefined : Number(arg);
  const sql = connect(url, { max: 10 });
  const backend = createPostgresBackend({ sql });
  const service = new SandboxService({
    backend,
    treeCacheBytes: budget(treeArg),
    contentCacheBytes: budget(contentArg),
  });
  const app = createApp({ backend, service, apiKey: RSS_API_KEY, onInternalError: () => {} });
  const server = await startServer({ app, port: 0 });
  const send = (message: ChildMessage) => process.send!(message);

  process.on("message", async (message: ParentMessage) => {
    if (message.type === "measure") {
      const before = memory();
      let afterGc: MemoryFigures | null = null;
      if (typeof globalThis.gc === "function") {
        globalThis.gc();
        afterGc = memory();
      }
      send({ type: "memory", memory: before, afterGc });
    } else if (message.type === "stop") {
      await server.close();
      await backend.close?.();
      process.disconnect();
    }
  });
  send({ type: "ready", url: server.url, memory: memory() });
}

main().catch((error) => {
  console.error("[rss-server]", error);
  process.exit(1);
});
