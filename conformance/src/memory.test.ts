/** The whole conformance suite, HTTP and storage contract, over the in-memory backend. */
import { createMemoryBackend } from "@cairn/backend-memory";
import {
  describeBackendContract,
  describeConformance,
  describeKeyStoreContract,
} from "./vitest.js";

describeConformance({
  name: "memory backend",
  createBackend: () => createMemoryBackend(),
});

describeBackendContract({
  name: "memory backend",
  createBackend: () => createMemoryBackend(),
});

describeKeyStoreContract({
  name: "memory backend",
  createBackend: () => createMemoryBackend(),
});
