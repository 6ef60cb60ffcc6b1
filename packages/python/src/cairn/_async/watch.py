"""`AsyncCommitWatch`: a sandbox's commits as they land, over server-sent events reopened with
`Last-Event-ID` whenever the connection drops, so no commit is missed or repeated."""

from __future__ import annotations

from types import TracebackType
from typing import AsyncIterator, Optional

import anyio
import httpx

from .._base_client import ApiRequest, RequestOptions, sandbox_path
from .._exceptions import APIConnectionError, APIError, CairnError, NotFoundError
from .._sse import SSEDecoder
from ..types import Commit, SandboxData
from .transport import AsyncTransport


class AsyncCommitWatch:
    """Iterate it for each commit, oldest first. The first request is sent when you start
    iterating. Read it once; `close()` (or leaving the `with` block) ends it."""

    def __init__(
        self,
        transport: AsyncTransport,
        sandbox_id: str,
        *,
        path: Optional[str],
        after: Optional[int],
        reconnect_delay: float,
        options: RequestOptions,
    ) -> None:
        self._transport = transport
        self._id = sandbox_id
        self._path = path
        self._last = after
        self._delay = reconnect_delay
        self._options = options
        self._response: Optional[httpx.Response] = None
        self._started = False
        self._closed = False
        # How many times the event stream was opened: 1 plus the reconnections.
        self.connections = 0

    @property
    def last_version(self) -> Optional[int]:
        """The version the watch resumes after: the last commit it gave you (or its start)."""
        return self._last

    async def __aenter__(self) -> AsyncCommitWatch:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stops watching and closes the connection."""
        self._closed = True
        if self._response is not None:
            await self._response.aclose()

    def __aiter__(self) -> AsyncIterator[Commit]:
        if self._started:
            raise CairnError("A watch can be iterated only once")
        self._started = True
        return self._commits()

    async def _commits(self) -> AsyncIterator[Commit]:
        if self._last is None:
            # Resume from a known version from the start, so a drop before the first event
            # loses nothing.
            self._last = await self._current_version()
            if self._last is None:
                return
        while not self._closed:
            try:
                response = await self._open(self._last)
            except NotFoundError:
                return  # the sandbox is gone
            except (APIConnectionError, APIError) as error:
                # The server is away (restarting, draining): keep trying, as an EventSource
                # does; anything that will not pass by itself is raised.
                if isinstance(error, APIError) and not error.retryable:
                    raise
                await anyio.sleep(self._delay)
                continue
            self._response = response
            decoder = SSEDecoder()
            try:
                chunks = response.aiter_bytes()
                while not self._closed:
                    try:
                        chunk = await chunks.__anext__()
                    except StopAsyncIteration:
                        break
                    except httpx.HTTPError:
                        break  # dropped or stalled: reopen from the last version
                    for message in decoder.feed(chunk):
                        if message.event == "deleted":
                            return
                        if message.event != "commit":
                            continue  # an `error` event ends the stream: it is reopened
                        commit = Commit.model_validate_json(message.data)
                        if commit.version <= self._last:
                            continue
                        self._last = commit.version
                        yield commit
                        if self._closed:
                            return
            finally:
                self._response = None
                await response.aclose()
            if not self._closed:
                await anyio.sleep(self._delay)

    async def _open(self, last: int) -> httpx.Response:
        request = ApiRequest(
            "GET",
            sandbox_path(self._id, "/events"),
            params={"path": self._path},
            headers={"Accept": "text/event-stream", "Last-Event-ID": str(last)},
        )
        response = await self._transport.stream(request, self._options)
        self.connections += 1
        kind = response.headers.get("content-type", "")
        if not kind.lower().startswith("text/event-stream"):
            await response.aclose()
            raise CairnError(f'Expected an event stream from watch, got "{kind or "no body"}"')
        return response

    async def _current_version(self) -> Optional[int]:
        try:
            request = ApiRequest("GET", sandbox_path(self._id))
            data = await self._transport.call(SandboxData, request, self._options)
        except NotFoundError:
            return None
        return data.version
