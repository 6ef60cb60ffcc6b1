/** The whole conformance suite on the embedded default: PGlite through postgres.js. */
import { describeConformance } from "@cairn/conformance/vitest";
import { createPgliteTestBackend } from "./test-database.js";

describeConformance({ name: "pglite (embedded) backend", createBackend: createPgliteTestBackend });
