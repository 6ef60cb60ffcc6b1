/** Grep (regex or fixed string, line by line) and ranked search; every hit jumps to its line. */
import type { GrepResult, Sandbox, SearchResult } from "@cairn/client";
import { useState } from "preact/hooks";
import { Check } from "../check.js";
import { errorText } from "../format.js";

type Open = (path: string, line: number) => void;

export function GrepPanel(props: { sandbox: Sandbox; onOpen: Open }) {
  const [pattern, setPattern] = useState("");
  const [glob, setGlob] = useState("");
  const [ignoreCase, setIgnoreCase] = useState(false);
  const [fixed, setFixed] = useState(false);
  const [result, setResult] = useState<GrepResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="find" aria-labelledby="grep-title">
      <h2 id="grep-title">Grep</h2>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          try {
            setResult(
              await props.sandbox.fs.grep(pattern, {
                ignoreCase,
                fixedString: fixed,
                glob: glob.trim() || undefined,
                maxResults: 500,
              }),
            );
          } catch (e) {
            setResult(null);
            setError(errorText(e));
          }
        }}
      >
        <label for="grep-pattern">Pattern</label>
        <input
          id="grep-pattern"
          class="mono"
          required
          value={pattern}
          onInput={(e) => setPattern(e.currentTarget.value)}
        />
        <label for="grep-glob">Files (glob)</label>
        <input
          id="grep-glob"
          class="mono"
          placeholder="**/*.ts"
          value={glob}
          onInput={(e) => setGlob(e.currentTarget.value)}
        />
        <Check label="Ignore case" checked={ignoreCase} onChange={setIgnoreCase} />
        <Check label="Fixed string" checked={fixed} onChange={setFixed} />
        <button type="submit">Grep</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {result && (
        <>
          <p role="status">
            {result.matches.length} matching lines in {result.filesMatched} of{" "}
            {result.filesSearched} files
            {result.truncated ? ` (cut: ${result.truncated.reason})` : ""}
          </p>
          <ul class="hits">
            {result.matches.map((m) => (
              <li key={`${m.path}:${m.line}`}>
                <button type="button" class="link" onClick={() => props.onOpen(m.path, m.line)}>
                  <span class="mono">
                    {m.path}:{m.line}
                  </span>
                </button>{" "}
                <code>{m.text}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function SearchPanel(props: { sandbox: Sandbox; onOpen: Open }) {
  const [query, setQuery] = useState("");
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="find" aria-labelledby="search-title">
      <h2 id="search-title">Search</h2>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          try {
            setResult(await props.sandbox.fs.search(query, { limit: 50 }));
          } catch (e) {
            setResult(null);
            setError(errorText(e));
          }
        }}
      >
        <label for="search-query">Words</label>
        <input
          id="search-query"
          required
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {result && (
        <>
          <p role="status">
            {result.totalHits} files match {result.terms.join(" ")}
          </p>
          <ol class="hits">
            {result.hits.map((hit) => (
              <li key={hit.path}>
                <button
                  type="button"
                  class="link"
                  onClick={() => props.onOpen(hit.path, hit.lines[0]?.line ?? 1)}
                >
                  <span class="mono">{hit.path}</span>
                </button>{" "}
                <span class="muted">score {hit.score.toFixed(2)}</span>
                {hit.tags.length > 0 && <span class="tags"> {hit.tags.join(", ")}</span>}
                {hit.summary && <div class="muted">{hit.summary}</div>}
                <ul>
                  {hit.lines.map((line) => (
                    <li key={line.line}>
                      <button
                        type="button"
                        class="link"
                        onClick={() => props.onOpen(hit.path, line.line)}
                      >
                        {line.line}
                      </button>{" "}
                      <code>{line.text}</code>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
