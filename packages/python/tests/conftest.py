"""Fixtures: the reference server per backend (memory, then Postgres), and clients for it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from cairn import AsyncCairn, Cairn

from .servers import Server, drop_database, start_server

BACKENDS = [b for b in os.environ.get("CAIRN_PY_BACKENDS", "memory,postgres").split(",") if b]


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    running = start_server(str(request.param))
    yield running
    running.stop()
    if running.database is not None:
        drop_database(running.database)


@pytest.fixture
def cairn(server: Server) -> Iterator[Cairn]:
    with Cairn(base_url=server.url, api_key=server.api_key) as client:
        yield client


@pytest.fixture
async def acairn(server: Server) -> AsyncIterator[AsyncCairn]:
    async with AsyncCairn(base_url=server.url, api_key=server.api_key) as client:
        yield client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
