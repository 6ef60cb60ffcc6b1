/**
 * Grep pushdown: Postgres picks the files whose text may match a grep, using
 * the pg_trgm index on `blob_text`, and the server runs the exact match on
 * those alone. The rule is "never miss a match": the regex sent to Postgres
 * must match every text the JavaScript regex matches on some line (a superset;
 * extra candidates only cost a read). So the pattern is translated token by
 * token, never escaped into a literal, and anything whose Postgres meaning is
 * not a superset of its JavaScript one makes the pushdown step aside.
 */
import type { GrepQuery } from "@cairn/core";
import type { TransactionSql as Sql } from "postgres";

/**
 * A Postgres ARE that matches wherever `query` matches a line, or undefined
 * when no safe translation exists (then every file is read).
 *
 * - `(?n)`: newline-sensitive, so `^`/`$` work per line and `.` stops at `\n`
 *   (`(?ni)` when case-insensitive).
 * - A lone `\r` also ends a line for grep, so `^` also accepts "after `\r`" and
 *   `$` "before `\r`".
 * - `\b`/`\B` are dropped (Postgres's word characters include letters JavaScript
 *   counts as non-word, so `\y` could miss); dropping an assertion only widens.
 * - `\D`, `\S`, `\W`, back-references, lookaround, `\x`/`\u`/`\c` escapes and
 *   named groups have no superset translation: no pushdown.
 * - `\s` also names the Unicode spaces JavaScript counts (U+00A0, U+FEFF...),
 *   which Postgres's does not; in a negated class `\w` and `\d` are spelled
 *   out in ASCII, since Postgres's are wider (é, ٣) and negation would narrow.
 * - Case-insensitive: JavaScript folds `k` with the Kelvin sign and `s` with
 *   the long s, Postgres does not, so those letters get both spelled out;
 *   patterns with non-ASCII letters are not pushed down.
 */
export function toPostgresRegex(query: GrepQuery): string | undefined {
  // Postgres text holds no NUL (and a line with one is binary to grep): no index can help.
  if (query.pattern.includes("\0")) return undefined;
  if (query.ignoreCase && /[\u0080-\uffff]/.test(query.pattern)) return undefined;
  const body = query.fixedString
    ? escapeLiteral(query.pattern, query.ignoreCase)
    : translate(query.pattern, query.ignoreCase);
  return body === undefined ? undefined : `(?n${query.ignoreCase ? "i" : ""})${body}`;
}

/** Every ASCII non-alphanumeric escaped: in an ARE, `\` + punctuation is that character. */
function escapeLiteral(text: string, ignoreCase: boolean): string {
  return text
    .replace(/[^A-Za-z0-9\u0080-\uffff]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))
    .replace(/[kKsS]/g, (c) => (ignoreCase ? FOLDS[c.toLowerCase()]! : c));
}

/** JavaScript's Unicode whitespace beyond what Postgres's `\s` covers. */
const UNICODE_SPACES = "\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
/** ASCII letters JavaScript folds with a non-ASCII one under `i`. */
const FOLDS: Record<string, string> = { k: "[kK\\u212a]", s: "[sS\\u017f]" };
const FOLDED_EXTRA = "\\u212a\\u017f";

const SAFE_ESCAPES = new Set(["d", "s", "w", "t", "n", "r", "f", "v"]);

function translate(pattern: string, ignoreCase: boolean): string | undefined {
  let out = "";
  let inClass = false;
  let negated = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return undefined;
      i++;
      if (/[A-Za-z0-9]/.test(next)) {
        if (next === "b" || next === "B") {
          if (inClass) return undefined; // [\b] is a backspace in JavaScript
          continue;
        }
        if (!SAFE_ESCAPES.has(next)) return undefined;
        if (next === "s" && !(inClass && negated)) {
          out += inClass ? `\\s${UNICODE_SPACES}` : `[\\s${UNICODE_SPACES}]`;
        } else if (inClass && negated && next === "w") {
          out += "a-zA-Z0-9_";
        } else if (inClass && negated && next === "d") {
          out += "0-9";
        } else {
          out += `\\${next}`;
        }
      } else {
        out += `\\${next}`;
      }
      continue;
    }
    if (inClass) {
      if (c === "[" && pattern[i + 1] === ":") return undefined; // POSIX classes mean nothing in JS
      if (c === "]") {
        inClass = false;
        if (ignoreCase && !negated) out += FOLDED_EXTRA;
      }
      out += c;
      continue;
    }
    switch (c) {
      case "[":
        inClass = true;
        out += c;
        // A leading `]` or `^]` is literal in Postgres but closes an empty class in JavaScript.
        if (pattern[i + 1] === "]" || (pattern[i + 1] === "^" && pattern[i + 2] === "]")) {
          return undefined;
        }
        negated = pattern[i + 1] === "^";
        if (negated) {
          out += "^";
          i++;
        }
        break;
      case "(":
        if (pattern[i + 1] === "?") {
          if (pattern[i + 2] !== ":") return undefined; // lookaround, named groups
          out += "(?:";
          i += 2;
        } else {
          out += "(";
        }
        break;
      case "^":
        out += "(?:^|(?<=\\r))";
        break;
      case "$":
        out += "(?:$|(?=\\r))";
        break;
      case "{":
        // A brace that is not a quantifier is a literal in JavaScript and an error in Postgres.
        if (!/^\{\d+(,\d*)?\}/.test(pattern.slice(i))) out += "\\{";
        else out += c;
        break;
      case "}":
        out += /\{\d+(,\d*)?$/.test(out) ? c : "\\}";
        break;
      default:
        out += ignoreCase ? (FOLDS[c.toLowerCase()] ?? c) : c;
    }
  }
  return inClass ? undefined : out;
}

/**
 * Of `hashes`, those that may match: the ones whose indexed text matches the
 * translated regex (through the tenant's part of the trigram index, see
 * migrations 6 and 10), plus every one that has no indexed text (binary, too
 * large to index, or not indexed yet), which the server then reads and checks.
 *
 * The hashes are not sent: Postgres lists the tenant's matching hashes and its
 * hashes without text (both through indexes led by the tenant), and the
 * intersection with the tree's hashes is taken here. Sending 10,000 hashes to
 * probe which have text cost ~20 ms of a 25 ms lookup. A hash the tenant no
 * longer stores at all is ruled out, which loses nothing: it could not be read.
 * Both lists come from one statement, so one snapshot: a blob is indexed (its
 * text row written and its state set) in one transaction, so it is in one list
 * or the other.
 */
export async function candidateHashes(
  tx: Sql,
  tenantId: string,
  hashes: readonly string[],
  regex: string,
): Promise<Set<string>> {
  const rows = await tx<Array<{ hash: string }>>`
    SELECT cairn_grep_candidates AS hash FROM cairn_grep_candidates(${regex})
    UNION ALL
    SELECT hash FROM blobs WHERE tenant_id = ${tenantId} AND text_state <> 'i'`;
  const found = new Set<string>();
  for (const row of rows) found.add(row.hash);
  const wanted = new Set<string>();
  for (const hash of hashes) if (found.has(hash)) wanted.add(hash);
  return wanted;
}
