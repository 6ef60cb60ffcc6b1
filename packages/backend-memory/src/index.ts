/** @cairn/backend-memory: the Cairn backend contract in process memory (tests, throwaway servers). */
export { createMemoryBackend, type MemoryBackendOptions } from "./memory-backend.js";
