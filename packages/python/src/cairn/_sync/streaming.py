# Generated from src/cairn/_async/streaming.py by scripts/unasync.py: do not edit.
"""`ExecStream`: a streamed exec's server-sent events as typed events, or one result."""

from __future__ import annotations

from types import TracebackType
from typing import Callable, Iterator, Optional

import httpx

from .._events import ExecExitEvent, ExecStreamEvent, ExecStreamResult, collect, to_event
from .._exceptions import APIConnectionError, APITimeoutError, CairnError
from .._sse import SSEDecoder


class ExecStream:
    """A script's output as it runs. The request is sent when you start reading: iterate the
    events, or call `result()` for everything at once. An `error` event (e.g. the script timed
    out) is raised as the `APIError` the non-streaming call would raise. Read it once; breaking
    out of the loop (or leaving the `with` block) closes the connection, which stops the script.
    """

    def __init__(self, open: Callable[[], httpx.Response]) -> None:
        self._open = open
        self._response: Optional[httpx.Response] = None
        self._read = False

    def __enter__(self) -> ExecStream:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection (a no-op once the stream was read to its end)."""
        if self._response is not None:
            self._response.close()

    def __iter__(self) -> Iterator[ExecStreamEvent]:
        if self._read:
            raise CairnError("An exec stream can be read only once")
        self._read = True
        return self._events()

    def result(self) -> ExecStreamResult:
        """Reads the whole stream: the exit fields plus all of stdout and stderr."""
        return collect([event for event in self])

    def _events(self) -> Iterator[ExecStreamEvent]:
        response = self._open()
        self._response = response
        decoder = SSEDecoder()
        try:
            chunks = response.iter_bytes()
            while True:
                try:
                    chunk = chunks.__next__()
                except StopIteration:
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
            response.close()
