"""Request bodies for both clients: bytes are sent (and retried) as they are; file objects and
iterators are streamed in chunks, never held whole in memory, and sent once."""

from __future__ import annotations

from typing import (
    IO,
    Any,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    TypeVar,
    Union,
)

import anyio.to_thread

T = TypeVar("T")

CHUNK_SIZE = 64 * 1024

FileData = Union[bytes, bytearray, memoryview, str, IO[bytes], Iterable[bytes]]
"""What `fs.write()` takes: bytes; str (UTF-8); a binary file object or an iterator of bytes
(streamed once: not retried, no generated Idempotency-Key)."""

AsyncFileData = Union[FileData, AsyncIterable[bytes]]
"""What the async `fs.write()` takes: `FileData`, or an async iterator of bytes."""


def file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    while True:
        chunk = file.read(CHUNK_SIZE)
        if not chunk:
            return
        if not isinstance(chunk, bytes):
            raise TypeError("file objects must be opened in binary mode ('rb')")
        yield chunk


def iterate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        yield bytes(chunk)


async def aiterate(chunks: Iterable[bytes] | AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """An async body. A sync iterator (a file read in chunks, a directory being tarred) is
    advanced in a worker thread, so reading the disk never blocks the event loop."""
    if isinstance(chunks, AsyncIterable):
        async for chunk in chunks:
            yield bytes(chunk)
        return
    iterator = iter(chunks)
    while True:
        piece = await anyio.to_thread.run_sync(_next, iterator)
        if piece is None:
            return
        yield bytes(piece)


def _next(iterator: Iterator[bytes]) -> Union[bytes, None]:
    return next(iterator, None)


def call(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`; the async client's `acall` runs it in a worker thread instead."""
    return function(*args)


async def acall(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a worker thread: blocking file work off the event loop."""
    return await anyio.to_thread.run_sync(function, *args)


def to_body(data: FileData) -> tuple[Union[bytes, Iterator[bytes]], bool]:
    """The body to send and whether it is a one-shot stream."""
    if isinstance(data, str):
        return data.encode(), False
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), False
    if hasattr(data, "read"):
        return file_chunks(data), True  # type: ignore[arg-type]
    if isinstance(data, Iterable):
        return iterate(data), True
    raise TypeError(f"cannot send {type(data).__name__}: give bytes, str, a file or an iterator")


def to_abody(data: AsyncFileData) -> tuple[Union[bytes, AsyncIterator[bytes]], bool]:
    """`to_body` for the async client (file objects are read in chunks as the body is sent)."""
    if isinstance(data, AsyncIterable):
        return aiterate(data), True
    body, one_shot = to_body(data)
    if isinstance(body, bytes):
        return body, one_shot
    return aiterate(body), one_shot
