/** Test helper: scrape a metrics URL and read series with a real Prometheus text-format parser. */
import parsePrometheusTextFormat from "parse-prometheus-text-format";

interface Sample {
  labels?: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
}
interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}

export class Scrape {
  constructor(readonly families: Family[]) {}

  static async from(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
    const text = await res.text();
    // The parser keeps a labelled histogram as one sample without its labels, so histograms
    // are also parsed untyped: their `_count` series then keep every label set.
    const untyped = text.replace(/^# TYPE \S+ histogram$/gm, "");
    return new Scrape([
      ...(parsePrometheusTextFormat(text) as Family[]),
      ...(parsePrometheusTextFormat(untyped) as Family[]).filter((f) => f.name.endsWith("_count")),
    ]);
  }

  has(name: string): boolean {
    return this.families.some((f) => f.name === name);
  }

  /** A counter's or gauge's value, or with `_count` a histogram's count (0 when absent). */
  value(name: string, labels: Record<string, string> = {}): number {
    // Untyped, each label set's run of lines is a family of its own: look through them all.
    const sample = this.families
      .filter((f) => f.name === name && f.type !== "HISTOGRAM")
      .flatMap((f) => f.metrics)
      .find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return sample ? Number(sample.value) : 0;
  }
}
