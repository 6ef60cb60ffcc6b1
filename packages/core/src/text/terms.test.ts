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
];

function reference(text: string, terms: readonly string[]): Map<string, number> {
  const counts = new Map(terms.map((t) => [t, 0]));
  forEachTerm(text, (t) => {
    const n = counts.get(t);
    if (n !== undefined) counts.set(t, n + 1);
  });
  return counts;
}

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
