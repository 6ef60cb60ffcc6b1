/** Small statistics helpers for timing samples (milliseconds). */

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The nearest-rank percentile: the smallest sample such that at least `p`% of
 * the samples are less than or equal to it. `sorted` must be ascending.
 *
 * @example
 * percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no samples");
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile out of range: ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The median of unsorted samples (nearest rank, so always a real sample). */
export function median(samples: readonly number[]): number {
  return percentile(ascending(samples), 50);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = ascending(samples);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sum / sorted.length,
  };
}

function ascending(samples: readonly number[]): number[] {
  return [...samples].sort((a, b) => a - b);
}

/** Milliseconds with sensible precision: `0.42 ms`, `12.3 ms`, `1.53 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/** One labelled line of latency figures: p50, p99, mean and how many samples. */
export function sampleLine(label: string, samples: readonly number[], width = 34): string {
  const s = summarize(samples);
  return `${label.padEnd(width)} p50 ${formatMs(s.p50)}  p99 ${formatMs(s.p99)}  mean ${formatMs(s.mean)}  (n=${s.n})`;
}
