"""The tool definitions (JSON Schema) and the pure half of each tool: turning API results into
what the model reads. Shared by the sync and async dispatchers."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Optional

from ._exceptions import APIError, CairnError
from ._truncate import OutputLimits, format_bytes, plural, truncate_output
from .types import ExecResult, GlobResult, GrepResult, ReadLinesResult

TIMEOUT_EXIT_CODE = 124
SERVER_MAX_OUTPUT_BYTES = 1024 * 1024
OUTPUT_HINT = (
    "To see more, redirect the output to a file (e.g. `cmd > /tmp/out.txt 2>&1`) and read parts "
    "of it with read_file (startLine/endLine), or filter it with grep, head or tail."
)
DISCARD_REASONS = {
    "commit_never": "the tools are set to never keep changes (commit: never)",
    "nonzero_exit": "the command exited non-zero, and changes are kept only on success",
    "journal_limit": "the command wrote more than the sandbox allows in one command",
}
TOOL_NAMES = ("bash", "read_file", "write_file", "edit_file", "glob", "grep")


@dataclass(frozen=True)
class ToolSettings:
    cwd: str = "/"
    output: OutputLimits = field(default_factory=OutputLimits)
    read_max_lines: int = 1000
    read_max_bytes: int = 50_000
    timeout_ms: int = 30_000
    max_timeout_ms: int = 300_000
    grep_max_results: int = 200
    glob_limit: int = 1000
    commit: Optional[Literal["always", "on_success", "never"]] = None
    read_only: Optional[bool] = None
    env: Optional[Mapping[str, str]] = None
    max_output_bytes: Optional[int] = None
    instructions: Optional[str] = None
    persist_shell: bool = False
    python: bool = False


@dataclass(frozen=True)
class ToolResult:
    """A tool call's answer: `content` is what the model reads (JSON text); `is_error` marks a
    failure (its content starts with the API's error code)."""

    content: str
    is_error: bool = False


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]

    def openai(self) -> dict[str, Any]:
        """The Chat Completions `tools=[...]` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def anthropic(self) -> dict[str, Any]:
        """The Messages API `tools=[...]` entry."""
        return {"name": self.name, "description": self.description, "input_schema": self.parameters}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


def _int(description: str, minimum: int = 1, maximum: Optional[int] = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum, "description": description}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def _bool(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def tool_specs(s: ToolSettings) -> list[ToolSpec]:
    rel = f"Absolute, or relative to {s.cwd}."
    return [
        ToolSpec(
            "bash",
            bash_description(s),
            _object(
                {
                    "command": _string(
                        "The bash script to run: one command, or several lines, pipes and all."
                    ),
                    "cwd": _string(
                        f"The directory to run it in, absolute or relative to {s.cwd} "
                        f"(default {s.cwd})."
                    ),
                    "timeoutSeconds": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "maximum": s.max_timeout_ms / 1000,
                        "description": f"Stop the command after this many seconds (default "
                        f"{s.timeout_ms / 1000:g}, at most {s.max_timeout_ms / 1000:g}).",
                    },
                },
                ["command"],
            ),
        ),
        ToolSpec(
            "read_file",
            "Read a text file from the sandbox, by line range. Returns at most "
            f"{plural(s.read_max_lines, 'line')} ({format_bytes(s.read_max_bytes)}) per call, "
            "with the file's total line count; when there is more, the note says which "
            "startLine to ask for next. Lines are numbered from 1; endLine is inclusive. "
            f"Paths are absolute or relative to {s.cwd}. A binary file is not shown "
            "(inspect it with bash).",
            _object(
                {
                    "path": _string(f"The file to read. {rel}"),
                    "startLine": _int("The first line to return (default 1)."),
                    "endLine": _int(
                        "The last line to return, inclusive (default startLine + "
                        f"{s.read_max_lines - 1}, or the end of the file)."
                    ),
                },
                ["path"],
            ),
        ),
        ToolSpec(
            "write_file",
            "Create a file in the sandbox, or replace all of its content, with the given text "
            "(UTF-8). Missing parent directories are created. "
            f"Paths are absolute or relative to {s.cwd}. "
            "To change part of an existing file, use edit_file rather than rewriting it.",
            _object(
                {
                    "path": _string(f"The file to write. {rel}"),
                    "content": {
                        "type": "string",
                        "description": "The file's complete new content.",
                    },
                },
                ["path", "content"],
            ),
        ),
        ToolSpec(
            "edit_file",
            "Replace an exact piece of text in a text file with new text, in one step. oldString "
            "must occur in the file exactly once (copy it from read_file, whitespace and "
            "indentation included), or set replaceAll to replace every occurrence. If it is not "
            "found the call fails with edit_no_match; if it occurs more than once without "
            "replaceAll, with edit_ambiguous. Either way the file is left unchanged.",
            _object(
                {
                    "path": _string(f"The file to edit. {rel}"),
                    "oldString": _string(
                        "The exact text to replace: must match the file character for character."
                    ),
                    "newString": {"type": "string", "description": "The text to put in its place."},
                    "replaceAll": _bool("Replace every occurrence (default false)."),
                },
                ["path", "oldString", "newString"],
            ),
        ),
        ToolSpec(
            "glob",
            "List the paths (files, directories and symlinks) under a directory that match a "
            "glob pattern, sorted. `**` matches any number of directories (including none), `*` "
            "and `?` match within one name, `[a-z]` and `[!x]` are character classes, `{a,b}` "
            "are alternatives. A relative pattern is matched against paths relative to path.",
            _object(
                {
                    "pattern": _string("The glob pattern, e.g. **/*.py."),
                    "path": _string(f"The directory to search under (default {s.cwd}). {rel}"),
                    "limit": _int(
                        f"Most paths to return (default {s.glob_limit}, at most 10000).",
                        maximum=10000,
                    ),
                },
                ["pattern"],
            ),
        ),
        ToolSpec(
            "grep",
            "Find the lines matching a regular expression in the files under a path, like "
            "`grep -rn`: one `path:line:text` per matching line (context lines as "
            "`path-line-text`), then a summary. The pattern is a JavaScript regular expression "
            "(e.g. `foo.*bar`, `\\bTODO\\b`); it never matches across lines. Binary files are "
            "skipped.",
            _object(
                {
                    "pattern": _string(
                        "JavaScript regular expression source (no slashes or flags), or plain "
                        "text with fixedString."
                    ),
                    "path": _string(f"The directory or file to search (default {s.cwd}). {rel}"),
                    "glob": _string(
                        "Search only files whose path relative to path matches this glob."
                    ),
                    "ignoreCase": _bool("Match regardless of case (default false)."),
                    "fixedString": _bool("Treat pattern as plain text (default false)."),
                    "wholeWord": _bool("Match only whole words (default false)."),
                    "context": _int(
                        "Lines of context before and after each match (0-20, default 0).",
                        minimum=0,
                        maximum=20,
                    ),
                    "maxResults": _int(
                        f"Most matching lines to return (default {s.grep_max_results}).",
                        maximum=10000,
                    ),
                },
                ["pattern"],
            ),
        ),
    ]


def bash_description(s: ToolSettings) -> str:
    python = " python3 is available." if s.python else ""
    if s.persist_shell:
        shell = (
            f"Commands start in {s.cwd} the first time; after that the working directory and "
            "exported variables carry over from the previous call."
        )
    else:
        shell = (
            f"Each call is a fresh shell starting in {s.cwd} (or the given cwd): cd and "
            "variables do not carry over, files do."
        )
    if s.read_only:
        keeps = "The file tree is read-only: writes fail with EROFS."
    elif s.commit == "on_success":
        keeps = "A command's file changes are kept only if it exits 0."
    elif s.commit == "never":
        keeps = "A command's file changes are never kept (dry run)."
    else:
        keeps = "A command's file changes are saved when it ends."
    both = " (keeping the start and the end)" if s.output.keep == "both" else ""
    lines = [
        "Run a bash script in the sandbox: a persistent file tree whose files stay between calls.",
        "The shell is just-bash, a bash interpreter with pipes, redirections, loops, functions "
        "and about 80 common commands (ls, cat, grep, rg, sed, awk, find, sort, uniq, wc, head, "
        "tail, cut, tr, diff, xargs, jq, yq, sqlite3, tar, gzip, base64, sha256sum, ...).",
        f"There is no network access, no package manager and no compiler.{python}",
        shell,
        keeps,
        f"A command is stopped after {s.timeout_ms / 1000:g} s unless you set timeoutSeconds "
        f"(at most {s.max_timeout_ms / 1000:g}); a stopped command's changes are not kept.",
        f"stdout and stderr are each cut to {plural(s.output.max_lines, 'line')} and "
        f"{format_bytes(s.output.max_bytes)}{both}; a cut output says what was left out. For "
        "long output, redirect it to a file and read it with read_file, or filter it with grep, "
        "head or tail.",
    ]
    if s.instructions:
        lines.append(s.instructions)
    return "\n".join(lines)


def resolve_path(cwd: str, path: str) -> str:
    """`path` made absolute against `cwd`, with `.` and `..` resolved (never above `/`)."""
    joined = path if path.startswith("/") else f"{cwd}/{path}"
    parts: list[str] = []
    for segment in joined.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts:
                parts.pop()
        else:
            parts.append(segment)
    return posixpath.join("/", *parts)


def bash_output(result: ExecResult, s: ToolSettings) -> dict[str, Any]:
    captured = s.max_output_bytes or SERVER_MAX_OUTPUT_BYTES
    stdout = truncate_output(
        result.stdout,
        s.output,
        label="stdout",
        hint=OUTPUT_HINT,
        captured_bytes=captured if result.truncated.stdout else None,
    )
    stderr = truncate_output(
        result.stderr,
        s.output,
        label="stderr",
        hint=OUTPUT_HINT,
        captured_bytes=captured if result.truncated.stderr else None,
    )
    answer: dict[str, Any] = {
        "exitCode": result.exit_code,
        "stdout": stdout.text,
        "stderr": stderr.text,
    }
    if stdout.cut or stderr.cut:
        answer["truncated"] = {"stdout": stdout.cut is not None, "stderr": stderr.cut is not None}
    if result.commit.status == "discarded":
        reason = DISCARD_REASONS.get(result.commit.reason or "", "the server discarded them")
        answer["discarded"] = f"None of this command's file changes were kept: {reason}."
    return answer


def timeout_output(error: APIError, timeout_ms: int) -> dict[str, Any]:
    return {
        "exitCode": TIMEOUT_EXIT_CODE,
        "stdout": "",
        "stderr": f"[the command timed out after {timeout_ms / 1000:g} s and was stopped; none "
        f"of its file changes were kept. ({error.detail or error.code})]\n",
        "timedOut": True,
    }


def read_output(
    path: str, result: ReadLinesResult, asked_end: Optional[int], max_bytes: int
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "path": path,
        "content": result.text,
        "startLine": result.start_line,
        "endLine": result.end_line,
        "totalLines": result.total_lines,
    }
    start, end, total = result.start_line, result.end_line, result.total_lines
    note: Optional[str] = None
    if result.binary:
        answer["binary"] = True
        note = (
            f"{path} is a binary file and is not shown; inspect it with bash (e.g. "
            f"`od -c {path} | head`)."
        )
    elif total == 0:
        note = f"{path} is empty."
    elif start > total:
        note = f"{path} has only {plural(total, 'line')}; startLine {start} is past the end."
    elif end < start:
        note = (
            f"Line {start} alone is longer than {format_bytes(max_bytes)}; content is its start. "
            f"To read all of it, split it with bash (e.g. `sed -n '{start}p' {path} | fold -w "
            "1000 > /tmp/line.txt`) and read that file."
        )
    elif end < min(asked_end or total, total):
        why = f" (stopped at {format_bytes(max_bytes)})" if result.truncated else ""
        note = (
            f"Showing lines {start}-{end} of {total}{why}. To continue, call read_file with "
            f"startLine {end + 1}."
        )
    if note:
        answer["note"] = note
    return answer


def glob_output(result: GlobResult, limits: OutputLimits) -> dict[str, Any]:
    text = truncate_output(
        "".join(f"{p}\n" for p in result.paths), limits, label="paths", hint=None
    ).text
    answer: dict[str, Any] = {"count": len(result.paths), "paths": text}
    if result.truncated is not None:
        answer["truncated"] = result.truncated.model_dump(by_alias=True)
    return answer


def grep_output(result: GrepResult, limits: OutputLimits) -> dict[str, Any]:
    lines: list[str] = []
    for match in result.matches:
        if match.before or match.after:
            if lines:
                lines.append("--")
            lines += [f"{match.path}-{b.line}-{b.text}" for b in match.before]
        lines.append(f"{match.path}:{match.line}:{match.text}")
        lines += [f"{match.path}-{a.line}-{a.text}" for a in match.after]
    text = truncate_output(
        "".join(f"{line}\n" for line in lines),
        limits,
        label="matches",
        hint="Narrow the search with path, glob or a more specific pattern.",
    ).text
    answer: dict[str, Any] = {"count": len(result.matches), "matches": text}
    if result.truncated is not None:
        answer["truncated"] = result.truncated.model_dump(by_alias=True)
    return answer


def error_result(error: CairnError) -> ToolResult:
    """A failure the model can act on: the API's code first, then what happened."""
    code = getattr(error, "code", None) or "error"
    detail = getattr(error, "detail", None) or str(error)
    return ToolResult(json.dumps({"error": code, "detail": detail}), True)


def ok(answer: Mapping[str, Any]) -> ToolResult:
    return ToolResult(json.dumps(answer, ensure_ascii=False))


def parse_arguments(arguments: object) -> dict[str, Any]:
    """Tool-call arguments as a dict: a JSON object string (OpenAI) or a mapping (Anthropic)."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments or "{}")
        except ValueError as error:
            raise ValueError(f"arguments are not valid JSON: {error}") from error
    if not isinstance(arguments, Mapping):
        raise ValueError("arguments must be a JSON object")
    return dict(arguments)


def check_arguments(spec: ToolSpec, args: Mapping[str, Any]) -> None:
    """Validates `args` against the tool's (flat) schema, so a bad call fails before any request."""
    schema = spec.parameters
    props: dict[str, Any] = schema["properties"]
    for name in schema["required"]:
        if name not in args:
            raise ValueError(f"missing required argument {name!r}")
    for name, value in args.items():
        prop = props.get(name)
        if prop is None:
            raise ValueError(f"unknown argument {name!r}")
        kind = prop["type"]
        valid = (
            (kind == "string" and isinstance(value, str))
            or (kind == "boolean" and isinstance(value, bool))
            or (kind == "integer" and isinstance(value, int) and not isinstance(value, bool))
            or (
                kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool)
            )
        )
        if not valid:
            raise ValueError(f"argument {name!r} must be a {kind}")
        if isinstance(value, str) and len(value) < prop.get("minLength", 0):
            raise ValueError(f"argument {name!r} must not be empty")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in prop and value < prop["minimum"]:
                raise ValueError(f"argument {name!r} must be >= {prop['minimum']}")
            if "exclusiveMinimum" in prop and value <= prop["exclusiveMinimum"]:
                raise ValueError(f"argument {name!r} must be > {prop['exclusiveMinimum']}")
            if "maximum" in prop and value > prop["maximum"]:
                raise ValueError(f"argument {name!r} must be <= {prop['maximum']}")


def field_of(obj: object, name: str) -> Any:
    """`obj.name` or `obj[name]`: SDK objects and plain dicts alike."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)
