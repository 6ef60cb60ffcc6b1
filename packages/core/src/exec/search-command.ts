/**
 * `search` inside scripts: the same ranked search as GET .../fs/search (the
 * one scorer in text/search.ts), over the script's own view of the files,
 * its uncommitted writes included.
 */
import { type Command, defineCommand } from "just-bash";
import type { CairnBashFs } from "../bash-fs.js";
import { resolvePath } from "../paths.js";
import { type SearchHit, type SearchResult, search } from "../text/search.js";
import { done, EXIT, failure, lastValue, parseArgs, UsageError } from "./command-args.js";

const HELP = `Usage: search [OPTION]... QUERY...
Rank the sandbox's files by the words of QUERY, best first, as the API's
GET /v1/sandboxes/{id}/fs/search does: BM25 over the content plus weights for
words in a file's tags, summary and path.

Each hit prints as its path and score, its tags and summary when it has them,
and up to 3 of its lines with the most query words:

  /src/retry.ts  4.2133
    tags: net
    12: export function retryWithBackoff(

Options:
  --tag T      only files tagged T (repeat: every tag must be there)
  --path P     search under P (default /; relative to the current directory)
  --glob G     only files whose path under --path matches the glob G
  --limit N    at most N hits (default 20, at most 200)
  --semantic   rank by meaning (embeddings), as mode=semantic does; needs a
               server started with an embeddings provider
  --hybrid     blend of the text ranking and meaning, as mode=hybrid does
  --json       print the answer as the API's JSON (one line)
  --help       show this help

QUERY may be empty when a --tag is given. Exit status: 0 when a file matched,
1 when none did, 2 for a usage or argument error (or a --path that is missing).
`;

export function searchCommand(fs: CairnBashFs): Command {
  return defineCommand("search", async (args, ctx) => {
    try {
      const parsed = parseArgs(args, {
        flags: ["json", "help", "semantic", "hybrid"],
        valued: ["tag", "path", "glob", "limit"],
        aliases: { h: "help" },
      });
      if (parsed.flags.has("help")) return done(HELP);
      if (parsed.flags.has("semantic") && parsed.flags.has("hybrid")) {
        throw new UsageError("--semantic and --hybrid cannot be used together");
      }
      const mode = parsed.flags.has("semantic")
        ? "semantic"
        : parsed.flags.has("hybrid")
          ? "hybrid"
          : undefined;
      const limitArg = lastValue(parsed, "limit");
      if (limitArg !== undefined && !/^\d+$/.test(limitArg)) {
        throw new UsageError(`--limit must be a whole number, not ${JSON.stringify(limitArg)}`);
      }
      const path = lastValue(parsed, "path");
      const options = {
        query: parsed.operands.join(" "),
        tags: parsed.values.get("tag"),
        path: path === undefined ? undefined : resolvePath(ctx.cwd, path),
        glob: lastValue(parsed, "glob"),
        limit: limitArg === undefined ? undefined : Number(limitArg),
      };
      let note: string | null = null;
      const result = await fs.query(async (vfs) => {
        if (!mode) return search(vfs, options);
        const ask = vfs.semantic;
        if (!ask) {
          throw new UsageError(
            `--${mode} is not available: this server has no embeddings provider`,
          );
        }
        let fallback: string | undefined;
        const similarities = async (hashes: readonly string[]) => {
          const answer = await ask(mode, options.query, hashes);
          if ("unavailable" in answer) throw new UsageError(answer.unavailable);
          if ("similarities" in answer) return answer.similarities;
          fallback = answer.fallback;
          return { scores: new Map<string, number>(), missing: 0 };
        };
        const ranked = await search(vfs, options, undefined, { mode, similarities });
        if (fallback === undefined) return ranked;
        // As the API does: the query could not be embedded, so rank by text and say why.
        note = fallback;
        return search(vfs, options);
      });
      const exitCode = result.hits.length > 0 ? EXIT.ok : EXIT.failed;
      if (parsed.flags.has("json")) {
        return done(`${JSON.stringify({ ...result, note })}\n`, "", exitCode);
      }
      const stderr = (note === null ? "" : `search: ${note}\n`) + notes(result);
      return done(result.hits.map(formatHit).join(""), stderr, exitCode);
    } catch (error) {
      // A missing --path is an error, as grep's missing file is (2), not "no match" (1).
      const answer = failure("search", error);
      return answer.exitCode === EXIT.failed ? { ...answer, exitCode: EXIT.usage } : answer;
    }
  });
}

/** One hit as text: `path  score`, then its tags, summary and best lines, indented. */
export function formatHit(hit: SearchHit): string {
  let text = `${hit.path}  ${hit.score}\n`;
  if (hit.tags.length > 0) text += `  tags: ${hit.tags.join(" ")}\n`;
  if (hit.summary !== null) text += `  summary: ${hit.summary}\n`;
  for (const line of hit.lines) text += `  ${line.line}: ${line.text}\n`;
  return text;
}

/** What the hits do not say (more hits than shown, files ranked without their content), for stderr. */
function notes(result: SearchResult): string {
  let text = "";
  if (result.truncated) {
    text += `search: ${result.totalHits - result.hits.length} more matching files not shown (--limit ${result.truncated.limit})\n`;
  }
  if (result.skipped.tooLarge > 0) {
    text += `search: ${result.skipped.tooLarge} files over 10 MiB were ranked on their path, tags and summary only\n`;
  }
  return text;
}
