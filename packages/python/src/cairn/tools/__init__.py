"""LLM tool calling over a sandbox: bash, read_file, write_file, edit_file, glob and grep as
JSON-schema tools in the shapes the OpenAI and Anthropic SDKs take, with a dispatcher, and the
same truncation rules as @cairn/ai."""

from .._async.tools import AsyncCairnTools
from .._sync.tools import CairnTools
from .._tool_definitions import TOOL_NAMES, ToolResult, ToolSpec
from .._truncate import Cut, OutputLimits, Truncated, format_bytes, truncate_output

__all__ = [
    "TOOL_NAMES",
    "AsyncCairnTools",
    "CairnTools",
    "Cut",
    "OutputLimits",
    "ToolResult",
    "ToolSpec",
    "Truncated",
    "format_bytes",
    "truncate_output",
]
