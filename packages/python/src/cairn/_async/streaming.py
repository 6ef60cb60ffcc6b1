"""`AsyncExecStream`: a streamed exec's server-sent events as typed events, or one result."""

from __future__ import annotations

from types import TracebackType
from typing import AsyncIterator, Awaitable, Callable, Optional

import httpx

from .._events import ExecExitEvent, ExecStreamEvent, ExecStreamResult, collect, to_event
from .._exceptions import APIConnectionError, APITimeoutError, CairnError
from .._sse import SSEDecoder


class AsyncExecStream:
    """A script's output as it runs. The request is sent when you start reading: iterate the
    events, or call `result()` for everything at once. An `error` event (e.g. the script timed
    out) is raised as the `APIError` the non-streaming call would raise. Read it once; breaking
    out of the loop (or leaving the `with` block) closes the connection, which stops the script.
    """

    def __init__(self, open: Callable[[], Awaitable[httpx.Response]]) -> None:
        self._open = open
        self._response: Optional[httpx.Response] = None
        self._read = False

    async def __aenter__(self) -> AsyncExecStream:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the connection (a no-op once the stream was read to its end)."""
        if self._response is not None:
            await self._response.aclose()

    def __aiter__(self) -> AsyncIterator[ExecStreamEvent]:
        if self._read:
            raise CairnError("An exec stream can be read only once")
        self._read = True
        return self._events()

    async def result(self) -> ExecStreamResult:
        """Reads the whole stream: the exit fields plus all of stdout and stderr."""
        return collect([event async for event in self])

    async def _events(self) -> AsyncIterator[ExecStreamEvent]:
        response = await self._open()
        self._response = response
        decoder = SSEDecoder()
        try:
            chunks = response.aiter_bytes()
            while True:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                except httpx.TimeoutException as error:
                    raise APITimeoutError(f"The event stream stalled: {error}") from error
                except httpx.HTTPError as error:
                    raise APIConnectionError(f"The event stream broke: {error!r}") from error
                for message in decoder.feed(chunk):
                    event = to_event(message, response.headers)
                    if event is None:
                        continue
                    yield event
                    if isinstance(event, ExecExitEvent):
                        return
            decoder.end()
            raise APIConnectionError("The event stream ended before its exit event")
        finally:
            await response.aclose()
