/** The whole conformance suite, HTTP and storage contract, over the in-memory backend. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { createLocalEmbedder } from "@cairn/core";
import {
  describeBackendContract,
  describeConformance,
  describeKeyStoreContract,
} from "./vitest.js";

describeConformance({
  name: "memory backend",
  createBackend: () => createMemoryBackend(),
});

// Cairn's own commands run in the script, so they must work on the server's thread too.
describeConformance({
  name: "memory backend, scripts on the server's thread",
  createBackend: () => createMemoryBackend(),
  scriptWorkers: 0,
  only: ["exec/exec-script/search-*", "exec/exec-script/tag-*", "exec/exec-script/commands-*"],
});

// Semantic search with the built-in embedder (the default run has it off, as `cairn serve` does).
describeConformance({
  name: "memory backend, semantic search",
  createBackend: () => createMemoryBackend(),
  embedder: createLocalEmbedder(),
  only: ["search/search-files/semantic-*", "search/search-files/hybrid-*"],
});

// `search --semantic|--hybrid` asks the server's thread from a worker; here it runs on that thread.
describeConformance({
  name: "memory backend, semantic search, scripts on the server's thread",
  createBackend: () => createMemoryBackend(),
  embedder: createLocalEmbedder(),
  scriptWorkers: 0,
  only: ["search/search-files/semantic-in-script-*", "search/search-files/hybrid-in-script-*"],
});

describeBackendContract({
  name: "memory backend",
  createBackend: () => createMemoryBackend(),
});

describeKeyStoreContract({
  name: "memory backend",
  createBackend: () => createMemoryBackend(),
});
