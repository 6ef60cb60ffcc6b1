"""cairn.ready(): the readiness body, and a 503 (not ready) as the answer, asked once, never
retried; against the reference server, made not ready for real by a schema behind its code."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import cairn as sdk
from cairn import AsyncCairn, Cairn

from .conftest import BACKENDS
from .servers import Server, drop_database, free_port, run_sql, start_server


def test_a_ready_server(cairn: Cairn, server: Server) -> None:
    ready = cairn.ready()
    assert (ready.status, ready.draining) == ("ready", False)
    assert ready.storage.reachable and ready.storage.problems == []
    assert ready.version == cairn.health().version
    if server.backend == "postgres":
        migrations = ready.storage.migrations
        assert migrations is not None and migrations.applied == migrations.expected > 0
    else:
        assert ready.storage.migrations is None


@pytest.mark.anyio
async def test_a_ready_server_async(acairn: AsyncCairn) -> None:
    assert (await acairn.ready()).status == "ready"


@pytest.fixture(scope="module")
def behind() -> Iterator[Server]:
    """A server on Postgres whose schema lacks its newest migration (as when a replica of a
    newer version starts before the migration ran): it answers 503 `not_ready`."""
    if "postgres" not in BACKENDS:
        pytest.skip("needs the Postgres backend (CAIRN_PY_BACKENDS)")
    running = start_server("postgres")
    assert running.database is not None
    run_sql(
        running.database,
        "DELETE FROM cairn_migrations WHERE id = (SELECT max(id) FROM cairn_migrations)",
    )
    yield running
    running.stop()
    drop_database(running.database)


def test_not_ready_is_an_answer_asked_once(behind: Server) -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    with Cairn(base_url=behind.url, api_key=behind.api_key, http_client=http) as client:
        answer = client.ready()
        assert (answer.status, answer.draining) == ("not_ready", False)
        assert answer.storage.reachable
        migrations = answer.storage.migrations
        assert migrations is not None and migrations.applied == migrations.expected - 1
        assert answer.storage.problems and "migration" in answer.storage.problems[0]
        assert len(sent) == 1
        # A 503 readiness is never retried, even when retries are allowed.
        assert client.ready(max_retries=3).status == "not_ready"
        assert len(sent) == 2
    http.close()


@pytest.mark.anyio
async def test_not_ready_is_an_answer_asked_once_async(behind: Server) -> None:
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    http = httpx.AsyncClient(event_hooks={"request": [record]})
    async with AsyncCairn(base_url=behind.url, api_key=behind.api_key, http_client=http) as c:
        assert (await c.ready(max_retries=2)).status == "not_ready"
        assert len(sent) == 1
    await http.aclose()


def test_no_answer_or_another_failure_is_still_an_error() -> None:
    # Nothing listens on a free port: a connection error, not a readiness answer.
    url = f"http://127.0.0.1:{free_port()}"
    with Cairn(base_url=url, api_key="k") as client, pytest.raises(sdk.APIConnectionError):
        client.ready()
    # Only 503 carries a readiness body; a 500 is the server failing (a client unit test).
    sent: list[httpx.Request] = []

    def fail(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        problem = {"type": "about:blank", "title": "x", "status": 500, "code": "internal_error"}
        return httpx.Response(500, json=problem)

    http = httpx.Client(transport=httpx.MockTransport(fail))
    client = Cairn(base_url="http://cairn.test", api_key="k", http_client=http)
    with client, pytest.raises(sdk.InternalServerError):
        client.ready()
    assert len(sent) == 1


def test_a_503_that_is_no_readiness_answer_is_an_error() -> None:
    # A proxy's 503 page in front of the server, not its readiness body (a client unit test).
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="<html>Service Unavailable</html>")

    http = httpx.Client(transport=httpx.MockTransport(gateway))
    client = Cairn(base_url="http://cairn.test", api_key="k", http_client=http)
    with client, pytest.raises(sdk.APIError) as failed:
        client.ready()
    assert failed.value.status == 503 and "Service Unavailable" in str(failed.value.detail)
