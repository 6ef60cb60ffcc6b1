/** countTerms counts exactly what splitting the whole text with forEachTerm emits. */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../test-support.js";
import { countTerms, forEachTerm, termsOf } from "./terms.js";

/** Pieces that stress runs: case and digit changes, plurals, non-ASCII letters, pairs, breaks. */
const PIECES = [
  "retry",
  "Retry",
  "RETRIES",
  "retrys",
  "backoff",
  "Backoffs",
  "parseHTTPConfig",
  "utf8",
  "x2y",
  "status",
  "class",
  "s",
  "é",
  "É",
  "\u212a", // Kelvin sign: lowercases to ASCII k
  "\u0130", // İ: lowercases to two units
  "\u{1d400}", // a letter outside the BMP
  "\u{1f600}", // not a letter, outside the BMP
  "\ud800", // a lone surrogate
  "k",
  "ss",
  "a".repeat(70),
  " ",
  "  ",
  "_",
  "-",
  "\n",
  "\r\n",
  "\r",
  "0",
  "42",
  "中文Ab",
  "ǅx", // a titlecase letter: a piece of its own kind
];

function reference(text: string, terms: readonly string[]): Map<string, number> {
  const counts = new Map(terms.map((t) => [t, 0]));
  forEachTerm(text, (t) => {
    const n = counts.get(t);
    if (n !== undefined) counts.set(t, n + 1);
  });
  return counts;
}

/** forEachTerm's definition with matchAll, as it was written before the exec loops. */
function termsByMatchAll(text: string): string[] {
  const stem = (w: string) =>
    w.length < 4 || !w.endsWith("s") || /(?:ss|us|is)$/.test(w) ? w : w.slice(0, -1);
  const piece =
    /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}\p{Ll}+|\p{Lu}+|\p{Ll}+|\p{N}+|[^\p{Lu}\p{Ll}\p{N}]+/gu;
  const mixed = /\p{Ll}\p{Lu}|\p{L}\p{N}|\p{N}\p{L}|\p{Lu}\p{Lu}\p{Ll}/u;
  const out: string[] = [];
  for (const [run] of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (run.length > 64) continue;
    out.push(stem(run.toLowerCase()));
    if (mixed.test(run)) for (const [p] of run.matchAll(piece)) out.push(stem(p.toLowerCase()));
  }
  return out;
}

describe("forEachTerm", () => {
  it("emits what matching runs and pieces with matchAll gives, in order", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      let text = "";
      for (let i = 0; i < 30; i++) text += PIECES[Math.floor(random() * PIECES.length)];
      const emitted: string[] = [];
      forEachTerm(text, (t) => emitted.push(t));
      expect(emitted, JSON.stringify(text)).toEqual(termsByMatchAll(text));
    }
  });
});

describe("countTerms", () => {
  it("agrees with forEachTerm over the whole text on generated texts", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
      const length = 1 + Math.floor(random() * 40);
      let text = "";
      for (let i = 0; i < length; i++) text += pick(PIECES);
      const own = termsOf(text);
      const terms = [
        ...new Set([
          ...own.filter(() => random() < 0.5),
          ...termsOf(`${pick(PIECES)} ${pick(PIECES)}`),
          "retry",
          "k",
        ]),
      ];
      expect(countTerms(text, terms), `seed ${seed}: ${JSON.stringify(text)}`).toEqual(
        reference(text, terms),
      );
    }
  });

  it("counts a term in every run that gives it, not once per occurrence of the letters", () => {
    const text = "retry retrying Retries parseRetryConfig retry_retry\r\nxretry";
    expect(countTerms(text, ["retry"])).toEqual(reference(text, ["retry"]));
    expect(countTerms(text, ["retry"]).get("retry")).toBe(4);
  });
});
