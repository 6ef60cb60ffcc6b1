"""`AsyncCairnTools`: the LLM tools over one sandbox, in OpenAI and Anthropic shapes, with a
dispatcher that runs a model's tool calls (async)."""

from __future__ import annotations

from typing import Any, Literal, Mapping, Optional

from .._exceptions import CairnError
from .._exceptions import TimeoutError as ScriptTimeoutError
from .._tool_definitions import (
    TOOL_NAMES,
    ToolResult,
    ToolSettings,
    ToolSpec,
    bash_output,
    check_arguments,
    error_result,
    field_of,
    glob_output,
    grep_output,
    ok,
    parse_arguments,
    read_output,
    resolve_path,
    timeout_output,
    tool_specs,
)
from .._truncate import OutputLimits
from .sandbox import AsyncSandbox


class AsyncCairnTools:
    """bash, read_file, write_file, edit_file, glob and grep over `sandbox`.

    Pass `openai()` or `anthropic()` as the `tools=` of a model call, then hand each tool call
    the model makes to `call_openai()` / `call_anthropic()` (or `call(name, arguments)`) and send
    back what they return. Failures come back as error results the model can read (starting with
    the API's code), not as exceptions.
    """

    def __init__(
        self,
        sandbox: AsyncSandbox,
        *,
        cwd: str = "/",
        output: Optional[OutputLimits] = None,
        read_max_lines: int = 1000,
        read_max_bytes: int = 50_000,
        timeout_ms: int = 30_000,
        max_timeout_ms: int = 300_000,
        commit: Optional[Literal["always", "on_success", "never"]] = None,
        read_only: Optional[bool] = None,
        env: Optional[Mapping[str, str]] = None,
        max_output_bytes: Optional[int] = None,
        instructions: Optional[str] = None,
    ) -> None:
        self.sandbox = sandbox
        data = sandbox._data
        self.settings = ToolSettings(
            cwd=resolve_path("/", cwd),
            output=output or OutputLimits(),
            read_max_lines=read_max_lines,
            read_max_bytes=read_max_bytes,
            timeout_ms=timeout_ms,
            max_timeout_ms=max(max_timeout_ms, timeout_ms),
            commit=commit,
            read_only=read_only,
            env=env,
            max_output_bytes=max_output_bytes,
            instructions=instructions,
            persist_shell=bool(data and data.persist_shell),
            python=bool(data and "python3" in data.runtimes),
        )
        self.specs: dict[str, ToolSpec] = {spec.name: spec for spec in tool_specs(self.settings)}

    def openai(self) -> list[dict[str, Any]]:
        """The tool definitions for OpenAI's Chat Completions `tools=`."""
        return [spec.openai() for spec in self.specs.values()]

    def anthropic(self) -> list[dict[str, Any]]:
        """The tool definitions for Anthropic's Messages API `tools=`."""
        return [spec.anthropic() for spec in self.specs.values()]

    async def call_openai(self, tool_call: object) -> dict[str, Any]:
        """Runs an OpenAI tool call (an SDK object or a dict); returns the `role: tool` message."""
        function = field_of(tool_call, "function")
        result = await self.call(field_of(function, "name"), field_of(function, "arguments"))
        return {
            "role": "tool",
            "tool_call_id": field_of(tool_call, "id"),
            "content": result.content,
        }

    async def call_anthropic(self, block: object) -> dict[str, Any]:
        """Runs an Anthropic `tool_use` block; returns the `tool_result` content block."""
        result = await self.call(field_of(block, "name"), field_of(block, "input"))
        return {
            "type": "tool_result",
            "tool_use_id": field_of(block, "id"),
            "content": result.content,
            "is_error": result.is_error,
        }

    async def call(self, name: object, arguments: object) -> ToolResult:
        """Runs one tool by name with its arguments (a JSON string or a mapping)."""
        spec = self.specs.get(name) if isinstance(name, str) else None
        if spec is None:
            return ToolResult(
                f'{{"error": "unknown_tool", "detail": "no tool {name!r}; the tools are '
                f'{", ".join(TOOL_NAMES)}"}}',
                True,
            )
        try:
            args = parse_arguments(arguments)
            check_arguments(spec, args)
        except ValueError as error:
            return ToolResult(
                ok({"error": "invalid_arguments", "detail": str(error)}).content, True
            )
        try:
            return await self._run(spec.name, args)
        except CairnError as error:
            return error_result(error)

    async def _run(self, name: str, args: dict[str, Any]) -> ToolResult:
        s = self.settings
        fs = self.sandbox.fs
        if name == "bash":
            seconds = args.get("timeoutSeconds")
            limit = s.timeout_ms if seconds is None else max(1, round(seconds * 1000))
            try:
                result = await self.sandbox.exec(
                    args["command"],
                    cwd=resolve_path(s.cwd, args.get("cwd", s.cwd)),
                    timeout_ms=limit,
                    env=s.env,
                    commit=s.commit,
                    read_only=s.read_only,
                    max_output_bytes=s.max_output_bytes,
                )
            except ScriptTimeoutError as error:
                return ok(timeout_output(error, limit))
            return ok(bash_output(result, s))
        if name == "read_file":
            path = resolve_path(s.cwd, args["path"])
            start = args.get("startLine", 1)
            asked_end = args.get("endLine")
            last = start + s.read_max_lines - 1
            read = await fs.read_lines(
                path,
                start_line=start,
                end_line=last if asked_end is None else min(asked_end, last),
                max_bytes=s.read_max_bytes,
            )
            return ok(read_output(path, read, asked_end, s.read_max_bytes))
        if name == "write_file":
            path = resolve_path(s.cwd, args["path"])
            written = await fs.write(path, args["content"])
            return ok(
                {
                    "path": path,
                    "bytes": len(args["content"].encode()),
                    "created": written.created,
                }
            )
        if name == "edit_file":
            path = resolve_path(s.cwd, args["path"])
            edited = await fs.edit(
                path,
                args["oldString"],
                args["newString"],
                replace_all=args.get("replaceAll", False),
            )
            return ok({"path": path, "replacements": edited.replacements})
        if name == "glob":
            found = await fs.glob(
                args["pattern"],
                path=resolve_path(s.cwd, args.get("path", s.cwd)),
                limit=args.get("limit", s.glob_limit),
            )
            return ok(glob_output(found, s.output))
        grep = await fs.grep(
            args["pattern"],
            path=resolve_path(s.cwd, args.get("path", s.cwd)),
            glob=args.get("glob"),
            ignore_case=args.get("ignoreCase"),
            fixed_string=args.get("fixedString"),
            whole_word=args.get("wholeWord"),
            context=args.get("context"),
            max_results=args.get("maxResults", s.grep_max_results),
        )
        return ok(grep_output(grep, s.output))
