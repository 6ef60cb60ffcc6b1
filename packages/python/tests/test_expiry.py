"""Sandbox expiry from the SDK: `ttl`, `expires_at` and `idle_timeout` on create and update
(None removes one on update, NOT_GIVEN keeps it), against the reference server (memory, then
Postgres)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

import cairn as sdk
from cairn import NOT_GIVEN, AsyncCairn, Cairn


def seconds(delta: timedelta) -> float:
    return delta.total_seconds()


def test_expiry_on_create_and_update(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create(ttl=3600)
    data = sandbox.data
    assert data.expires_at is not None and data.idle_timeout is None
    assert abs(seconds(data.expires_at - data.created_at) - 3600) < 60
    assert data.idle_expires_at is None

    at = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0)
    dated = cairn.sandboxes.create(expires_at=at, idle_timeout=600)
    assert dated.data.expires_at == at
    assert dated.data.idle_timeout == 600 and dated.data.idle_expires_at is not None
    as_text = cairn.sandboxes.create(expires_at=at.isoformat().replace("+00:00", "Z"))
    assert as_text.data.expires_at == at

    # Update: a new ttl; other changes keep the expiry; None removes it.
    sandbox.update(ttl=7200)
    assert sandbox.data.expires_at is not None
    assert abs(seconds(sandbox.data.expires_at - data.expires_at) - 3600) < 60
    later = sandbox.data.expires_at
    sandbox.update(name="kept", expires_at=NOT_GIVEN)
    assert sandbox.data.expires_at == later
    sandbox.update(idle_timeout=30)
    assert (sandbox.data.idle_timeout, sandbox.data.expires_at) == (30, later)
    cleared = sandbox.update(expires_at=None, idle_timeout=None).data
    assert (cleared.expires_at, cleared.idle_timeout) == (None, None)
    assert cairn.sandboxes.update(dated.id, expires_at=at + timedelta(days=1)).data.expires_at == (
        at + timedelta(days=1)
    )

    # Bad arguments: before any request, or the server's invalid_request.
    with pytest.raises(ValueError):
        cairn.sandboxes.create(ttl=60, expires_at=at)
    with pytest.raises(ValueError):
        cairn.sandboxes.create(expires_at=datetime(2030, 1, 1))  # naive: which zone?
    with pytest.raises(ValueError):
        sandbox.update(ttl=0)
    with pytest.raises(sdk.BadRequestError) as past:
        cairn.sandboxes.create(expires_at="2000-01-01T00:00:00Z")
    assert past.value.code == "invalid_request"


def test_an_expired_sandbox_is_gone(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create(ttl=1)
    deadline = time.monotonic() + 60
    while True:
        try:
            cairn.sandboxes.get(sandbox.id)
        except sdk.NotFoundError as gone:
            assert gone.code == "sandbox_not_found"
            break
        assert time.monotonic() < deadline, "a 1 s ttl did not expire within a minute"
        time.sleep(0.25)
    with pytest.raises(sdk.NotFoundError):
        sandbox.exec("true")


@pytest.mark.anyio
async def test_async_expiry(acairn: AsyncCairn) -> None:
    sandbox = await acairn.sandboxes.create(idle_timeout=3600)
    assert sandbox.data.idle_timeout == 3600 and sandbox.data.expires_at is None
    await sandbox.update(ttl=600, idle_timeout=None)
    assert sandbox.data.expires_at is not None and sandbox.data.idle_timeout is None
    updated = await acairn.sandboxes.update(sandbox.id, expires_at=None)
    assert updated.data.expires_at is None
