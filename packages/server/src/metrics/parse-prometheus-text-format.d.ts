/** Types for parse-prometheus-text-format (ships none): text in, metric families out. */
declare module "parse-prometheus-text-format" {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
