"""Generates the sync client (src/cairn/_sync/) from the async one (src/cairn/_async/), as
httpcore does, so the twins never drift; `--check` fails when _sync/ is out of date."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
SOURCE = PACKAGE / "src" / "cairn" / "_async"
TARGET = PACKAGE / "src" / "cairn" / "_sync"

# Applied in order, on whole words.
SUBSTITUTIONS: list[tuple[str, str]] = [
    (r"\basync def\b", "def"),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\bawait ", ""),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\b__aiter__\b", "__iter__"),
    (r"\b__anext__\b", "__next__"),
    (r"\bStopAsyncIteration\b", "StopIteration"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\bAsyncIterable\b", "Iterable"),
    (r"\bAsyncClient\b", "Client"),
    (r"\baclose\b", "close"),
    (r"\baread\b", "read"),
    (r"\baiter_bytes\b", "iter_bytes"),
    (r"\bimport anyio\b", "import time"),
    (r"\banyio\.sleep\b", "time.sleep"),
    (r"\baiterate\b", "iterate"),
    (r"\bacall\b", "call"),
    (r"\bto_abody\b", "to_body"),
    (r"\bAsync([A-Z]\w*)", r"\1"),
    (r"\(async\)", "(sync)"),
    (r"The async client\b", "The sync client"),
]


def unwrap_awaitable(text: str) -> str:
    """`Awaitable[X]` -> `X`, with X's brackets balanced."""
    while (start := text.find("Awaitable[")) != -1:
        depth, i = 0, start + len("Awaitable")
        for i in range(start + len("Awaitable"), len(text)):
            if text[i] == "[":
                depth += 1
            elif text[i] == "]":
                depth -= 1
                if depth == 0:
                    break
        text = text[:start] + text[start + len("Awaitable[") : i] + text[i + 1 :]
    return text


def convert(name: str, text: str) -> str:
    text = unwrap_awaitable(text)
    for pattern, replacement in SUBSTITUTIONS:
        text = re.sub(pattern, replacement, text)
    text = text.replace(", Awaitable", "").replace("Awaitable, ", "")
    header = f"# Generated from src/cairn/_async/{name} by scripts/unasync.py: do not edit.\n"
    return header + text


def render() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for source in sorted(SOURCE.glob("*.py")):
            (out / source.name).write_text(convert(source.name, source.read_text()))
        ruff = [sys.executable, "-m", "ruff"]
        config = ["--config", str(PACKAGE / "pyproject.toml")]
        # Import lists the substitutions left duplicated or unsorted are tidied by ruff.
        subprocess.run(
            [*ruff, "check", "--fix-only", "--silent", *config, "--select", "I,F401", str(out)],
            check=False,
        )
        subprocess.run([*ruff, "format", "--silent", *config, str(out)], check=True)
        return {path.name: path.read_text() for path in sorted(out.glob("*.py"))}


def main() -> int:
    files = render()
    if "--check" in sys.argv:
        stale = [
            name
            for name, text in files.items()
            if not (TARGET / name).exists() or (TARGET / name).read_text() != text
        ]
        extra = [p.name for p in TARGET.glob("*.py") if p.name not in files]
        if stale or extra:
            print(
                f"src/cairn/_sync is out of date ({', '.join(stale + extra)}): "
                "run `pnpm --filter @cairn/python generate`",
                file=sys.stderr,
            )
            return 1
        print("src/cairn/_sync matches src/cairn/_async")
        return 0
    TARGET.mkdir(exist_ok=True)
    for path in TARGET.glob("*.py"):
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        (TARGET / name).write_text(text)
    print(f"wrote {len(files)} files to src/cairn/_sync")
    return 0


if __name__ == "__main__":
    sys.exit(main())
