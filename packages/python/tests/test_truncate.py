"""The truncation rules, with @cairn/ai's truncate.test.ts cases: the same text, byte for byte."""

from __future__ import annotations

import pytest

from cairn.tools import Cut, OutputLimits, format_bytes, truncate_output


def numbered(n: int) -> str:
    return "".join(f"line {i + 1}\n" for i in range(n))


def lines(max_lines: int, keep: str = "both") -> OutputLimits:
    return OutputLimits(max_lines=max_lines, max_bytes=1_000_000, keep=keep)  # type: ignore[arg-type]


def test_short_text_is_unchanged() -> None:
    text = numbered(10)
    assert truncate_output(text, lines(10), label="stdout").text == text
    assert truncate_output(text, lines(10), label="stdout").cut is None
    assert truncate_output("", lines(1), label="stdout").text == ""


@pytest.mark.parametrize(
    ("keep", "want"),
    [
        (
            "both",
            "line 1\nline 2\n"
            "[stdout truncated: 10 lines, 71 bytes in all; showing lines 1-2 and lines 9-10; "
            "lines 3-8 (42 bytes) omitted here.]\nline 9\nline 10\n",
        ),
        (
            "head",
            "line 1\nline 2\nline 3\nline 4\n"
            "[stdout truncated: 10 lines, 71 bytes in all; showing lines 1-4; "
            "lines 5-10 (43 bytes) omitted.]\n",
        ),
        (
            "tail",
            "[stdout truncated: 10 lines, 71 bytes in all; showing lines 7-10; "
            "lines 1-6 (42 bytes) omitted.]\nline 7\nline 8\nline 9\nline 10\n",
        ),
    ],
)
def test_cut_by_lines(keep: str, want: str) -> None:
    result = truncate_output(numbered(10), lines(4, keep), label="stdout")
    assert result.text == want
    assert result.cut is not None and (result.cut.total_lines, result.cut.total_bytes) == (10, 71)


def test_cut_by_bytes_on_line_boundaries() -> None:
    text = numbered(12_000)
    result = truncate_output(
        text,
        OutputLimits(max_lines=1000, max_bytes=2000, keep="head"),
        label="stdout",
        hint="Redirect it to a file.",
    )
    assert result.cut == Cut(12_000, 120_894, 120_894 - 1998)
    head = numbered(234)
    assert result.text.startswith(head)
    assert result.text[len(head) :] == (
        "[stdout truncated: 12,000 lines, 121 KB in all; showing lines 1-234; lines 235-12000 "
        "(119 KB) omitted. Redirect it to a file.]\n"
    )


def test_a_long_line_is_cut_inside_at_a_character_boundary() -> None:
    result = truncate_output(
        "é" * 3000 + "\n", OutputLimits(max_lines=100, max_bytes=100), label="stderr"
    )
    assert result.text == (
        "é" * 25 + "\n"
        "[stderr truncated: 1 line, 6 KB in all; showing the first 50 bytes of line 1 and the "
        "last 49 bytes of line 1; 5.9 KB omitted here.]\n" + "é" * 24 + "\n"
    )
    assert result.cut is not None and result.cut.omitted_bytes == 6001 - 99
    assert "\ufffd" not in result.text


def test_server_cut_output_keeps_the_start() -> None:
    result = truncate_output(numbered(10), lines(4), label="stdout", captured_bytes=71)
    assert result.text == (
        "line 1\nline 2\nline 3\nline 4\n"
        "[stdout truncated: the command wrote more than 71 bytes, of which only the first 71 "
        "bytes (10 lines) were kept; showing lines 1-4; lines 5-10 (43 bytes) omitted.]\n"
    )


def test_server_cut_output_is_flagged_even_when_it_fits() -> None:
    result = truncate_output("abc", lines(10), label="stdout", captured_bytes=3)
    assert result.text == (
        "abc\n[stdout truncated: the command wrote more than 3 bytes; only the first 3 bytes "
        "(1 line) were kept and are shown above.]\n"
    )
    assert result.cut == Cut(1, 3, 0)


@pytest.mark.parametrize(
    ("n", "want"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1 KB"),
        (12_345, "12.3 KB"),
        (104_893, "105 KB"),
        (3_141_592, "3.1 MB"),
        (250_000_000, "250 MB"),
    ],
)
def test_format_bytes(n: int, want: str) -> None:
    assert format_bytes(n) == want
