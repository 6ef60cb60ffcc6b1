"""The README's quick start, run as written against the reference server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cairn import Cairn

from .servers import Server

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)


def test_the_quick_start_runs(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAIRN_BASE_URL", server.url)
    monkeypatch.setenv("CAIRN_API_KEY", server.api_key)
    sync_start, async_start = blocks()[0], blocks()[1]
    exec(compile(sync_start, "README quick start", "exec"), {})
    exec(compile(async_start, "README async quick start", "exec"), {})


def test_the_history_example_runs(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAIRN_BASE_URL", server.url)
    monkeypatch.setenv("CAIRN_API_KEY", server.api_key)
    (history,) = [block for block in blocks() if "history.snapshot(" in block]
    exec(compile(history, "README history", "exec"), {})


def test_the_expiry_example_runs(cairn: Cairn) -> None:
    (expiry,) = [block for block in blocks() if "idle_timeout=600" in block]
    scope: dict[str, object] = {"cairn": cairn}
    exec(compile(expiry, "README expiry", "exec"), scope)
    assert cairn.sandboxes.get(scope["scratch"].id).data.expires_at is None  # type: ignore[attr-defined]
