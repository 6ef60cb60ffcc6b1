/** The whole conformance suite against the reference server over the in-memory backend. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { describeConformance } from "./vitest.js";

describeConformance({
  name: "memory backend",
  createBackend: () => createMemoryBackend(),
});
