/** The tool suite on the memory backend. */
import { createMemoryBackend } from "@cairn/backend-memory";
import { describeTools } from "./test-tool-cases.js";

describeTools("memory", async () => createMemoryBackend());
