/** Gauges for semantic search's embedding backlog: what it embedded, and how often the provider failed. */
import { Gauge } from "prom-client";
import type { SemanticSearch } from "../semantic.js";
import type { CairnMetrics } from "./metrics.js";

export function observeSemantic(metrics: CairnMetrics, semantic: SemanticSearch): void {
  const registers = [metrics.registry];
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
  const embedded = gauge(
    "cairn_embeddings_embedded",
    "Contents given an embedding (or found not to be text) since start.",
  );
  const failures = gauge(
    "cairn_embedding_failures",
    "Embedding batches that failed since start (the provider or storage); each is retried.",
  );
  const queryFailures = gauge(
    "cairn_embedding_query_failures",
    "Searches whose query could not be embedded since start (answered by text ranking).",
  );
  metrics.addCollector(() => {
    const stats = semantic.stats();
    embedded.set(stats.embedded);
    failures.set(stats.failures);
    queryFailures.set(stats.queryFailures);
  });
}
