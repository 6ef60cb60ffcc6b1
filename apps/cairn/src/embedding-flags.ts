/**
 * Flags for semantic search: which embeddings provider, off by default. The
 * API key of an HTTP provider comes from the environment only (not a flag, so
 * it is not in the process list).
 */
import { createHttpEmbedder, createLocalEmbedder, type Embedder } from "@cairn/core";

export type EmbeddingConfig =
  | { provider: "off" }
  | { provider: "local" }
  | { provider: "http"; url: string; model: string; apiKey?: string };

/** parseArgs options for the embeddings flags. */
export const EMBEDDING_OPTIONS = {
  embeddings: { type: "string" },
  "embeddings-url": { type: "string" },
  "embeddings-model": { type: "string" },
} as const;

export const EMBEDDING_HELP = `  --embeddings <p>        Semantic search (fs/search?mode=semantic|hybrid): off, local (built in,
                          no network) or http (an OpenAI-compatible endpoint) (env CAIRN_EMBEDDINGS,
                          default off)
  --embeddings-url <url>  With http: the API base, e.g. https://api.openai.com/v1
                          (env CAIRN_EMBEDDINGS_URL; the key is read from CAIRN_EMBEDDINGS_API_KEY)
  --embeddings-model <m>  With http: the model, e.g. text-embedding-3-small (env CAIRN_EMBEDDINGS_MODEL)`;

/** The embeddings settings from flags (first) or environment, or an error. */
export function resolveEmbeddingConfig(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): EmbeddingConfig | { error: string } {
  const pick = (flag: string, name: string) => {
    const given = values[flag];
    return typeof given === "string" ? given : env[name];
  };
  const provider = pick("embeddings", "CAIRN_EMBEDDINGS") ?? "off";
  const url = pick("embeddings-url", "CAIRN_EMBEDDINGS_URL");
  const model = pick("embeddings-model", "CAIRN_EMBEDDINGS_MODEL");
  if (provider === "off" || provider === "local") {
    if (url !== undefined || model !== undefined) {
      return { error: "--embeddings-url and --embeddings-model need --embeddings http" };
    }
    return { provider };
  }
  if (provider !== "http") {
    return { error: `--embeddings must be off, local or http, not '${provider}'` };
  }
  if (!url || !/^https?:\/\//.test(url)) {
    return { error: "--embeddings http needs --embeddings-url, an http(s) URL" };
  }
  if (!model) return { error: "--embeddings http needs --embeddings-model" };
  const apiKey = env.CAIRN_EMBEDDINGS_API_KEY;
  return { provider: "http", url, model, ...(apiKey ? { apiKey } : {}) };
}

/** The embedder for a config (undefined when semantic search is off). */
export function embedderFor(config: EmbeddingConfig): Embedder | undefined {
  if (config.provider === "off") return undefined;
  if (config.provider === "local") return createLocalEmbedder();
  return createHttpEmbedder(config);
}

/** The startup line. */
export function describeEmbeddings(config: EmbeddingConfig): string {
  if (config.provider === "off") return "off (--embeddings local|http)";
  if (config.provider === "local")
    return "on, built-in local embedder (feature hashing, 256 dimensions)";
  return `on, ${config.model} at ${config.url}${config.apiKey ? " (API key from CAIRN_EMBEDDINGS_API_KEY)" : ""}`;
}
