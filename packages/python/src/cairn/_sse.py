"""Server-sent events decoded in layers: bytes -> lines (any line ending) -> events. No I/O."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    data: str
    id: Optional[str] = None


class SSEDecoder:
    """Feed it chunks as they arrive (split anywhere, even inside a UTF-8 sequence or a CRLF)."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._pending_cr = False
        self._first = True
        self._event = ""
        self._data: list[str] = []
        self._id: Optional[str] = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        return self._lines(self._text.decode(chunk))

    def end(self) -> list[ServerSentEvent]:
        """The stream ended: an event not closed by a blank line is dropped, as EventSource does."""
        self._lines(self._text.decode(b"", final=True))
        return []

    def _lines(self, text: str) -> list[ServerSentEvent]:
        if self._first and text:
            self._first = False
            text = text.removeprefix("\ufeff")
        events: list[ServerSentEvent] = []
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CRLF split across chunks
        self._pending_cr = False
        self._buffer += text
        start = 0
        buffer = self._buffer
        i = 0
        n = len(buffer)
        while i < n:
            char = buffer[i]
            if char == "\r" or char == "\n":
                line = buffer[start:i]
                if char == "\r":
                    if i + 1 < n:
                        if buffer[i + 1] == "\n":
                            i += 1
                    else:
                        self._pending_cr = True
                event = self._line(line)
                if event is not None:
                    events.append(event)
                start = i + 1
            i += 1
        self._buffer = buffer[start:]
        return events

    def _line(self, line: str) -> Optional[ServerSentEvent]:
        if line == "":
            if not self._data:
                self._event = ""
                return None
            event = ServerSentEvent(self._event or "message", "\n".join(self._data), self._id)
            self._event, self._data = "", []
            return event
        if line.startswith(":"):
            return None  # a comment (keep-alive)
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\x00" not in value:
            self._id = value
        return None
