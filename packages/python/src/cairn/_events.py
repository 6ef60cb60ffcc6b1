"""The typed events of a streamed exec, shared by both clients."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Literal, Union

import httpx

from ._exceptions import CairnError, error_from_problem
from ._sse import ServerSentEvent
from .types import ExecCommit, ExecExit, OutputTruncation


@dataclass(frozen=True)
class ExecOutputEvent:
    """A piece of the script's output, as the server flushed it: exact bytes and their text."""

    type: Literal["stdout", "stderr"]
    data: bytes
    text: str


@dataclass(frozen=True)
class ExecExitEvent:
    """The last event: the script ended; `commit` says whether its file changes were kept."""

    exit_code: int
    duration_ms: float
    truncated: OutputTruncation
    commit: ExecCommit
    type: Literal["exit"] = "exit"


ExecStreamEvent = Union[ExecOutputEvent, ExecExitEvent]


@dataclass(frozen=True)
class ExecStreamResult:
    """What `.result()` returns: the exit, and all of each stream's bytes."""

    exit_code: int
    duration_ms: float
    truncated: OutputTruncation
    commit: ExecCommit
    stdout: bytes
    stderr: bytes


def to_event(message: ServerSentEvent, headers: httpx.Headers) -> ExecStreamEvent | None:
    """The typed event for one SSE message; raises the API error of an `error` event; None for
    an event type from a newer server (skipped)."""
    if message.event in ("stdout", "stderr"):
        chunk = _json(message)
        if not isinstance(chunk, dict) or not isinstance(chunk.get("data"), str):
            raise CairnError(f"Malformed {message.event} event: {message.data[:200]}")
        kind: Literal["stdout", "stderr"] = "stdout" if message.event == "stdout" else "stderr"
        if chunk.get("encoding") == "base64":
            try:
                data = base64.b64decode(chunk["data"], validate=True)
            except (binascii.Error, ValueError) as error:
                raise CairnError("Malformed base64 output chunk") from error
            return ExecOutputEvent(kind, data, data.decode("utf-8", "replace"))
        return ExecOutputEvent(kind, chunk["data"].encode(), chunk["data"])
    if message.event == "exit":
        exit = ExecExit.model_validate(_json(message))
        return ExecExitEvent(exit.exit_code, exit.duration_ms, exit.truncated, exit.commit)
    if message.event == "error":
        raise error_from_problem(_json(message), headers)
    return None


def _json(message: ServerSentEvent) -> object:
    try:
        parsed: object = json.loads(message.data)
    except ValueError as error:
        raise CairnError(f'Malformed "{message.event}" event data: {message.data[:200]}') from error
    return parsed


def collect(events: list[ExecStreamEvent]) -> ExecStreamResult:
    """Joins a whole stream's events into one result."""
    out: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
    exit: ExecExitEvent | None = None
    for event in events:
        if isinstance(event, ExecExitEvent):
            exit = event
        else:
            out[event.type].append(event.data)
    if exit is None:
        from ._exceptions import APIConnectionError

        raise APIConnectionError("The event stream ended before its exit event")
    return ExecStreamResult(
        exit.exit_code,
        exit.duration_ms,
        exit.truncated,
        exit.commit,
        b"".join(out["stdout"]),
        b"".join(out["stderr"]),
    )
