"""SSE decoding and exec streams, against respx-mocked event streams."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from cairn import (
    APIConnectionError,
    AsyncCairn,
    Cairn,
    ExecExitEvent,
    ExecOutputEvent,
    TimeoutError,
)
from cairn._sse import SSEDecoder

BASE = "http://cairn.test"
EXEC_URL = f"{BASE}/v1/sandboxes/sbx_1/exec"
EXIT = {
    "exitCode": 3,
    "durationMs": 5,
    "truncated": {"stdout": False, "stderr": False},
    "commit": {"status": "committed", "version": 2},
}


def event(name: str, data: object, newline: str = "\n") -> bytes:
    return f"event: {name}{newline}data: {json.dumps(data)}{newline}{newline}".encode()


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body fed in the given chunks, recording whether the client closed it."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def stream_response(chunks: list[bytes]) -> tuple[httpx.Response, Body]:
    body = Body(chunks)
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body), body


def sandbox() -> object:
    return Cairn(base_url=BASE, api_key="k" * 20).sandboxes.attach("sbx_1")


def test_decoder_handles_crlf_cr_comments_and_multiline_data() -> None:
    decoder = SSEDecoder()
    raw = b": keep-alive\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\nevent: b\rdata: x\r\r"
    events = decoder.feed(raw)
    assert [(e.event, e.data) for e in events] == [("a", "one\ntwo"), ("b", "x")]


def test_decoder_fed_one_byte_at_a_time_matches_whole() -> None:
    raw = (
        '\ufeffevent: stdout\r\ndata: {"data": "h\u00e9llo \u2603"}\r\n\r\n'
        "data: plain\n\nevent: exit\ndata: {}\n\n"
    ).encode()
    whole = SSEDecoder().feed(raw)
    decoder = SSEDecoder()
    bytewise = [e for i in range(len(raw)) for e in decoder.feed(raw[i : i + 1])]
    assert bytewise == whole
    assert [e.event for e in whole] == ["stdout", "message", "exit"]
    assert json.loads(whole[0].data)["data"] == "h\u00e9llo \u2603"


def test_an_unterminated_event_at_the_end_is_dropped() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: exit\ndata: {}") == []
    assert decoder.end() == []


@respx.mock
def test_exec_stream_yields_typed_events_and_result() -> None:
    chunks = [
        event("stdout", {"data": "hi\n", "encoding": "utf8"}, "\r\n"),
        b": comment\n\n",
        event("stderr", {"data": base64.b64encode(b"\xff\x00").decode(), "encoding": "base64"}),
        event("progress", {"ignored": True}),
        event("exit", EXIT),
    ]
    response, _ = stream_response(chunks)
    route = respx.post(EXEC_URL).mock(return_value=response)
    events = list(sandbox().exec_stream("echo hi"))  # type: ignore[attr-defined]
    assert events[0] == ExecOutputEvent("stdout", b"hi\n", "hi\n")
    assert events[1] == ExecOutputEvent("stderr", b"\xff\x00", "\ufffd\x00")
    assert isinstance(events[2], ExecExitEvent) and events[2].exit_code == 3
    assert route.calls[0].request.headers["accept"] == "text/event-stream"

    response, _ = stream_response(chunks)
    respx.post(EXEC_URL).mock(return_value=response)
    result = sandbox().exec_stream("echo hi").result()  # type: ignore[attr-defined]
    assert (result.stdout, result.stderr, result.exit_code) == (b"hi\n", b"\xff\x00", 3)
    assert result.commit.version == 2


@respx.mock
def test_an_error_event_raises_the_api_error() -> None:
    problem = {"type": "about:blank", "title": "t", "status": 408, "code": "timeout"}
    response, _ = stream_response(
        [event("stdout", {"data": "x", "encoding": "utf8"}), event("error", problem)]
    )
    respx.post(EXEC_URL).mock(return_value=response)
    seen = []
    with pytest.raises(TimeoutError) as caught:
        for e in sandbox().exec_stream("sleep 100"):  # type: ignore[attr-defined]
            seen.append(e)
    assert caught.value.status == 408 and len(seen) == 1


@respx.mock
def test_a_stream_that_ends_without_exit_is_a_connection_error() -> None:
    response, _ = stream_response([event("stdout", {"data": "x", "encoding": "utf8"})])
    respx.post(EXEC_URL).mock(return_value=response)
    with pytest.raises(APIConnectionError):
        sandbox().exec_stream("x").result()  # type: ignore[attr-defined]


@respx.mock
def test_malformed_base64_is_an_error() -> None:
    response, _ = stream_response([event("stdout", {"data": "!!!", "encoding": "base64"})])
    respx.post(EXEC_URL).mock(return_value=response)
    from cairn import CairnError

    with pytest.raises(CairnError, match="base64"):
        list(sandbox().exec_stream("x"))  # type: ignore[attr-defined]


@respx.mock
def test_breaking_out_closes_the_stream() -> None:
    many = [event("stdout", {"data": f"{i}\n", "encoding": "utf8"}) for i in range(100)]
    response, body = stream_response([*many, event("exit", EXIT)])
    respx.post(EXEC_URL).mock(return_value=response)
    for _ in sandbox().exec_stream("yes"):  # type: ignore[attr-defined]
        break
    assert body.closed and body.sent < 100


@respx.mock
def test_leaving_the_with_block_closes_the_stream() -> None:
    many = [event("stdout", {"data": f"{i}\n", "encoding": "utf8"}) for i in range(100)]
    response, body = stream_response([*many, event("exit", EXIT)])
    respx.post(EXEC_URL).mock(return_value=response)
    with sandbox().exec_stream("yes") as stream:  # type: ignore[attr-defined]
        next(iter(stream))
    assert body.closed


@pytest.mark.anyio
@respx.mock
async def test_async_stream_and_early_break_closes() -> None:
    many = [event("stdout", {"data": f"{i}\n", "encoding": "utf8"}) for i in range(100)]
    response, body = stream_response([*many, event("exit", EXIT)])
    respx.post(EXEC_URL).mock(return_value=response)
    async with AsyncCairn(base_url=BASE, api_key="k" * 20) as acairn:
        async with acairn.sandboxes.attach("sbx_1").exec_stream("yes") as stream:
            async for first in stream:
                assert isinstance(first, ExecOutputEvent) and first.text == "0\n"
                break
        assert body.closed and body.sent < 100

        response, _ = stream_response(
            [event("stdout", {"data": "a", "encoding": "utf8"}), event("exit", EXIT)]
        )
        respx.post(EXEC_URL).mock(return_value=response)
        result = await acairn.sandboxes.attach("sbx_1").exec_stream("x").result()
        assert result.stdout == b"a"


def test_a_stream_is_read_once() -> None:
    from cairn import CairnError

    stream = sandbox().exec_stream("x")  # type: ignore[attr-defined]
    iter(stream)
    with pytest.raises(CairnError):
        iter(stream)
