"""Cutting long tool output to a budget, as @cairn/ai's truncate.ts does: whole lines, head and
tail kept, and a note saying what was left out and how to see more."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Optional

Keep = Literal["head", "tail", "both"]


@dataclass(frozen=True)
class OutputLimits:
    """The budget for one stream: at most `max_lines` lines and `max_bytes` bytes (UTF-8)."""

    max_bytes: int = 30_000
    max_lines: int = 400
    keep: Keep = "both"


@dataclass(frozen=True)
class Cut:
    total_lines: int
    total_bytes: int
    omitted_bytes: int


@dataclass(frozen=True)
class Truncated:
    text: str
    cut: Optional[Cut]


@dataclass(frozen=True)
class _Part:
    start: int
    end: int
    first: int
    last: int
    partial: bool


def truncate_output(
    text: str,
    limits: OutputLimits,
    *,
    label: str,
    hint: Optional[str] = None,
    captured_bytes: Optional[int] = None,
) -> Truncated:
    """`text` cut to `limits` with a note in place of what was left out. `captured_bytes` says the
    server already cut the output at that many bytes (only its start exists, so the head is kept).
    """
    data = text.encode()
    lines = _split_lines(data)
    server_cut = captured_bytes is not None
    if len(lines) <= limits.max_lines and len(data) <= limits.max_bytes:
        if not server_cut:
            return Truncated(text, None)
        note = (
            f"[{label} truncated: the command wrote more than "
            f"{format_bytes(len(data) if captured_bytes is None else captured_bytes)}; only the "
            f"first {format_bytes(len(data))} ({plural(len(lines), 'line')}) were kept and are "
            f"shown above.{_hint(hint)}]"
        )
        return Truncated(_join(text, note, ""), Cut(len(lines), len(data), 0))

    keep: Keep = "head" if server_cut else limits.keep
    share = 1.0 if keep == "head" else 0.0 if keep == "tail" else 0.5
    head_lines = math.ceil(limits.max_lines * share)
    head_bytes = math.floor(limits.max_bytes * share)
    head = _take_head(data, lines, head_lines, head_bytes)
    tail = _take_tail(
        data, lines, limits.max_lines - head_lines, limits.max_bytes - head_bytes, head
    )
    omitted = len(data) - (head.end - head.start) - (tail.end - tail.start)
    shown = " and ".join(s for s in (_describe(head, "first"), _describe(tail, "last")) if s)
    gap = _omitted_range(head, tail, len(lines))
    if server_cut:
        whole = (
            f"the command wrote more than {format_bytes(captured_bytes or 0)}, of which only the "
            f"first {format_bytes(len(data))} ({plural(len(lines), 'line')}) were kept"
        )
    else:
        whole = f"{plural(len(lines), 'line')}, {format_bytes(len(data))} in all"
    left_out = f"{gap} ({format_bytes(omitted)})" if gap else format_bytes(omitted)
    note = (
        f"[{label} truncated: {whole}; showing {shown or 'nothing'}; {left_out} "
        f"omitted{' here' if keep == 'both' else ''}.{_hint(hint)}]"
    )
    before = data[head.start : head.end].decode("utf-8", "replace")
    after = data[tail.start : tail.end].decode("utf-8", "replace")
    return Truncated(_join(before, note, after), Cut(len(lines), len(data), omitted))


def format_bytes(n: int) -> str:
    """`999 bytes`, `12.3 KB`, `105 KB`, `3.1 MB` (decimal units, as @cairn/ai)."""
    if n < 1000:
        return plural(n, "byte")
    if n < 1_000_000:
        return f"{_trim(n / 1000)} KB"
    return f"{_trim(n / 1_000_000)} MB"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _round(x: float) -> float:
    return math.floor(x + 0.5)  # JavaScript's Math.round: halves go up


def _trim(x: float) -> str:
    value = _round(x) if x >= 100 else _round(x * 10) / 10
    return str(int(value)) if value == int(value) else str(value)


def _hint(hint: Optional[str]) -> str:
    return f" {hint}" if hint else ""


def _join(before: str, note: str, after: str) -> str:
    lead = before if before == "" or before.endswith("\n") else f"{before}\n"
    return f"{lead}{note}\n{after}"


def _split_lines(data: bytes) -> list[tuple[int, int]]:
    lines = []
    start = 0
    while True:
        i = data.find(b"\n", start)
        if i == -1:
            break
        lines.append((start, i + 1))
        start = i + 1
    if start < len(data):
        lines.append((start, len(data)))
    return lines


def _is_continuation(data: bytes, i: int) -> bool:
    return 0 <= i < len(data) and (data[i] & 0xC0) == 0x80


def _take_head(data: bytes, lines: list[tuple[int, int]], max_lines: int, max_bytes: int) -> _Part:
    count = 0
    end = 0
    while count < len(lines) and count < max_lines:
        if lines[count][1] > max_bytes:
            break
        end = lines[count][1]
        count += 1
    if count == 0 and max_lines > 0 and max_bytes > 0 and lines:
        # The first line alone is over the budget: keep its start, cut at a character boundary.
        cut = min(max_bytes, lines[0][1])
        while cut > 0 and _is_continuation(data, cut):
            cut -= 1
        return _Part(0, cut, 1, 1, True)
    return _Part(0, end, 1, count, False)


def _take_tail(
    data: bytes, lines: list[tuple[int, int]], max_lines: int, max_bytes: int, head: _Part
) -> _Part:
    floor = 1 if head.partial else head.last  # lines the head already holds
    total = len(data)
    index = len(lines)
    start = total
    while index > floor and len(lines) - index < max_lines:
        line_start = lines[index - 1][0]
        if total - line_start > max_bytes:
            break
        start = line_start
        index -= 1
    count = len(lines) - index
    if count == 0 and max_lines > 0 and max_bytes > 0 and lines:
        # The last line alone is over the budget: keep its end, cut at a character boundary.
        cut = max(total - max_bytes, head.end, lines[-1][0])
        while cut < total and _is_continuation(data, cut):
            cut += 1
        if cut < total:
            return _Part(cut, total, len(lines), len(lines), True)
    return _Part(start, total, index + 1, len(lines), False)


def _describe(part: _Part, end: str) -> str:
    if part.end <= part.start:
        return ""
    if part.partial:
        return f"the {end} {format_bytes(part.end - part.start)} of line {part.first}"
    return _line_range(part.first, part.last)


def _line_range(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _omitted_range(head: _Part, tail: _Part, total: int) -> str:
    if head.partial or tail.partial:
        return ""
    first = head.last + 1
    last = tail.first - 1 if tail.end > tail.start else total
    return _line_range(first, last) if first <= last else ""
