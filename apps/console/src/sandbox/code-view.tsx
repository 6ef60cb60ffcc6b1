/** Text with line numbers and highlighting; every token is a text node, never parsed as HTML. */
import { useEffect, useMemo, useRef } from "preact/hooks";
import { highlightLines, languageOf } from "../highlight.js";

/** Past this many characters, highlighting is skipped (the text still shows, numbered). */
const HIGHLIGHT_LIMIT = 512 * 1024;
/** Rows rendered at most: a table of a million rows would stall the page. */
const MAX_LINES = 20_000;

export function CodeView(props: { path: string; text: string; line?: number }) {
  const lines = useMemo(
    () =>
      highlightLines(
        props.text,
        props.text.length <= HIGHLIGHT_LIMIT ? languageOf(props.path) : undefined,
      ),
    [props.text, props.path],
  );
  const target = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    target.current?.scrollIntoView({ block: "center" });
  }, [props.line, props.text]);
  // A final newline ends the last line rather than starting an empty one.
  const count =
    lines.length > 1 && lines[lines.length - 1]?.length === 0 ? lines.length - 1 : lines.length;
  return (
    <section
      class="code"
      aria-label={`Contents of ${props.path}`}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take keyboard focus (axe: scrollable-region-focusable)
      tabIndex={0}
    >
      <table>
        <tbody>
          {lines.slice(0, Math.min(count, MAX_LINES)).map((tokens, i) => (
            <tr
              key={i}
              id={`L${i + 1}`}
              ref={props.line === i + 1 ? target : undefined}
              class={props.line === i + 1 ? "hit" : undefined}
            >
              <td class="ln" aria-hidden="true">
                {i + 1}
              </td>
              <td class="src">
                {tokens.map((token, j) =>
                  token.kind === "plain" ? (
                    token.text
                  ) : (
                    <span key={j} class={`t-${token.kind}`}>
                      {token.text}
                    </span>
                  ),
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {count > MAX_LINES && (
        <p class="muted">
          The first {MAX_LINES.toLocaleString()} of {count.toLocaleString()} lines; download the
          file for the rest.
        </p>
      )}
    </section>
  );
}
