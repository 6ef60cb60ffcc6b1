/**
 * Semantic ranking for `search --semantic|--hybrid` inside scripts. The query is embedded and
 * compared where the embeddings live (the server's provider and storage), whichever thread
 * runs the script: a worker asks the main thread with one message per search.
 */
import type { Similarities } from "./embedder.js";

export type ScriptSemanticAnswer =
  /** How similar each stored blob of `hashes` is to the query. */
  | { similarities: Similarities }
  /** The query could not be embedded (the provider failed): rank by text, saying why. */
  | { fallback: string }
  /** This server or its storage cannot rank by meaning (e.g. no provider configured). */
  | { unavailable: string };

export type ScriptSemantic = (
  mode: "semantic" | "hybrid",
  query: string,
  hashes: readonly string[],
) => Promise<ScriptSemanticAnswer>;
