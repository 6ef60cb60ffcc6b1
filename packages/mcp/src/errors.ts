/** Failures as tool results: `isError: true`, the API's stable code and message, and what to do next. */
import { APIError, CairnError } from "@cairn/client";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** What the model can do about an error code, where the API's own message does not say it. */
const HINTS: Partial<Record<string, string>> = {
  sandbox_not_found:
    "No sandbox with that id exists for this API key (it may have been deleted). list_sandboxes shows the ones there are; create_sandbox makes a new one.",
  ENOENT: "Nothing exists at that path. Use glob (e.g. pattern `**/name*`) to find the file.",
  EISDIR: "That path is a directory. Use glob to list what is in it.",
  ENOTDIR: "A component of the path is a file, not a directory.",
  edit_no_match:
    "Nothing was changed. Read the file again with read_file and copy oldString exactly as it is in the file (whitespace and indentation included, without the line-number prefix).",
  edit_ambiguous:
    "Nothing was changed. Add more surrounding lines to oldString so it occurs exactly once, or set replaceAll: true to replace every occurrence.",
  timeout:
    "The script was stopped at timeoutMs and nothing it changed was committed. Give it a longer timeoutMs (at most 300000), or do the work in smaller steps.",
  EROFS:
    "This call was read-only (readOnly: true), so writes fail. Run it without readOnly to change files.",
  conflict: "Another write to the sandbox won the race and nothing was applied. Try again.",
  payload_too_large: "The request is over the server's size limit; write the content in parts.",
  invalid_request: "Check the arguments against the tool's input schema.",
};

/**
 * A `CairnError` as a tool result the model can act on: `<code>: <message>`, the path it is
 * about, and a hint. Anything else is rethrown (the SDK reports it as an error result too).
 *
 * @example
 * try { ... } catch (e) { return toolError(e); }
 */
export function toolError(error: unknown): CallToolResult {
  if (!(error instanceof CairnError)) throw error;
  const lines: string[] = [];
  if (error instanceof APIError) {
    const { problem } = error;
    const detail = problem.detail ?? problem.title;
    const path = problem.path && !detail.includes(problem.path) ? ` (path: ${problem.path})` : "";
    lines.push(`${error.code}: ${detail}${path}`);
    const hint = HINTS[error.code];
    if (hint) lines.push(hint);
    if (error.retryable && !hint) lines.push("Retryable: nothing was applied; try again.");
  } else {
    const code = "code" in error && typeof error.code === "string" ? error.code : error.name;
    lines.push(`${code}: ${error.message}`);
  }
  return { isError: true, content: [{ type: "text", text: lines.join("\n") }] };
}
