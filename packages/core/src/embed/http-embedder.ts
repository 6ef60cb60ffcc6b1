/** An embedder that calls an OpenAI-compatible `POST {url}/embeddings` endpoint. */
import { type Embedder, MAX_EMBEDDED_CHARS, normalize } from "./embedder.js";

export interface HttpEmbedderOptions {
  /** Base URL, e.g. `https://api.openai.com/v1` (`/embeddings` is appended). */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer KEY` when given. */
  apiKey?: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The provider answered with an error or something that is not embeddings. */
export class EmbeddingProviderError extends Error {
  override readonly name = "EmbeddingProviderError";
}

export function createHttpEmbedder(options: HttpEmbedderOptions): Embedder & {
  /** Learned from the first answer (0 before). */
  dimensions: number;
} {
  const endpoint = `${options.url.replace(/\/+$/, "")}/embeddings`;
  const doFetch = options.fetch ?? fetch;
  const embedder = {
    model: `http:${options.model}`,
    dimensions: 0,
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      if (texts.length === 0) return [];
      let res: Response;
      try {
        res = await doFetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body: JSON.stringify({
            model: options.model,
            input: texts.map((t) => t.slice(0, MAX_EMBEDDED_CHARS) || " "),
          }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        throw new EmbeddingProviderError(`embeddings provider unreachable: ${String(error)}`);
      }
      if (!res.ok) {
        const body = (await res.text().catch(() => "")).slice(0, 200);
        throw new EmbeddingProviderError(`embeddings provider answered ${res.status}: ${body}`);
      }
      const json = (await res.json().catch(() => undefined)) as
        | { data?: Array<{ index?: number; embedding?: unknown }> }
        | undefined;
      const data = json?.data;
      if (!Array.isArray(data) || data.length !== texts.length) {
        throw new EmbeddingProviderError(
          "embeddings provider gave no `data` of one item per input",
        );
      }
      const vectors = new Array<Float32Array>(texts.length);
      data.forEach((item, i) => {
        const values = item.embedding;
        if (!Array.isArray(values) || values.length === 0 || !values.every(Number.isFinite)) {
          throw new EmbeddingProviderError("embeddings provider gave an item without numbers");
        }
        vectors[item.index ?? i] = normalize(Float32Array.from(values as number[]));
      });
      embedder.dimensions = vectors[0]!.length;
      return vectors;
    },
  };
  return embedder;
}
