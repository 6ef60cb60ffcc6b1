"""cairn.tools: OpenAI and Anthropic tool definitions, and the dispatcher against the server."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from cairn import AsyncCairn, Cairn
from cairn.tools import TOOL_NAMES, AsyncCairnTools, CairnTools, OutputLimits


def run(tools: CairnTools, name: str, **arguments: Any) -> dict[str, Any]:
    result = tools.call(name, json.dumps(arguments))
    assert not result.is_error, result.content
    answer: dict[str, Any] = json.loads(result.content)
    return answer


def test_definitions_in_both_shapes(cairn: Cairn) -> None:
    tools = CairnTools(cairn.sandboxes.attach("sbx_x"))
    openai = tools.openai()
    anthropic = tools.anthropic()
    assert [t["function"]["name"] for t in openai] == list(TOOL_NAMES)
    assert [t["name"] for t in anthropic] == list(TOOL_NAMES)
    for o, a in zip(openai, anthropic):
        assert o["type"] == "function"
        assert o["function"]["parameters"] == a["input_schema"]
        schema = a["input_schema"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert set(schema["required"]) <= set(schema["properties"])
        assert len(a["description"]) > 60
        assert all(p.get("description") for p in schema["properties"].values())


def test_every_tool_against_the_server(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create(files={"/work/a.py": "print('hi')\n# TODO one\n"})
    tools = CairnTools(sandbox, cwd="/work", output=OutputLimits(max_lines=6, max_bytes=10_000))
    assert run(tools, "write_file", path="b.txt", content="x\n") == {
        "path": "/work/b.txt",
        "bytes": 2,
        "created": True,
    }
    assert run(tools, "edit_file", path="b.txt", oldString="x", newString="y")["replacements"] == 1
    read = run(tools, "read_file", path="/work/a.py", startLine=2)
    assert (read["content"], read["totalLines"]) == ("# TODO one\n", 2)
    assert run(tools, "glob", pattern="*.py")["paths"] == "/work/a.py\n"
    assert run(tools, "grep", pattern="TODO")["matches"] == "/work/a.py:2:# TODO one\n"

    bash = run(tools, "bash", command="pwd; seq 1 20")
    assert bash["exitCode"] == 0 and bash["truncated"] == {"stdout": True, "stderr": False}
    assert bash["stdout"].startswith("/work\n1\n2\n")
    assert "[stdout truncated: 21 lines" in bash["stdout"] and bash["stdout"].endswith("20\n")

    timed_out = run(tools, "bash", command="while true; do :; done", timeoutSeconds=0.3)
    assert timed_out["exitCode"] == 124 and timed_out["timedOut"] is True

    failed = tools.call("edit_file", {"path": "b.txt", "oldString": "zzz", "newString": "q"})
    assert failed.is_error and json.loads(failed.content)["error"] == "edit_no_match"

    message = tools.call_openai(
        SimpleNamespace(
            id="call_1",
            function=SimpleNamespace(name="read_file", arguments='{"path": "b.txt"}'),
        )
    )
    assert message["role"] == "tool" and message["tool_call_id"] == "call_1"
    assert json.loads(message["content"])["content"] == "y\n"
    block = tools.call_anthropic(
        {"type": "tool_use", "id": "tu_1", "name": "glob", "input": {"pattern": "**/*.txt"}}
    )
    assert block["tool_use_id"] == "tu_1" and block["is_error"] is False
    sandbox.delete()


def test_bad_calls_are_error_results_sent_nowhere(cairn: Cairn) -> None:
    tools = CairnTools(cairn.sandboxes.attach("sbx_does_not_exist"))
    for name, arguments in [
        ("nope", "{}"),
        ("bash", "{not json"),
        ("bash", {}),
        ("bash", {"command": 3}),
        ("read_file", {"path": "/a", "startLine": 0}),
        ("glob", {"pattern": "*", "extra": True}),
    ]:
        result = tools.call(name, arguments)
        assert result.is_error, (name, arguments)
    missing = tools.call("read_file", {"path": "/a"})
    assert missing.is_error and json.loads(missing.content)["error"] == "sandbox_not_found"


@pytest.mark.anyio
async def test_async_tools(acairn: AsyncCairn) -> None:
    sandbox = await acairn.sandboxes.create()
    tools = AsyncCairnTools(sandbox)
    written = await tools.call("write_file", {"path": "/n.txt", "content": "1\n2\n"})
    assert not written.is_error
    result = await tools.call("bash", {"command": "wc -l < /n.txt"})
    assert json.loads(result.content)["stdout"].strip() == "2"
    await sandbox.delete()
