"""The retry policy and idempotency keys, against respx-mocked responses."""

from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any

import httpx
import pytest
import respx

import cairn._async.transport as async_transport
import cairn._sync.transport as sync_transport
from cairn import (
    APIConnectionError,
    AsyncCairn,
    Cairn,
    ConflictError,
    InternalServerError,
    RateLimitError,
)
from cairn._retry import parse_retry_after, retry_delay

BASE = "http://cairn.test"
SANDBOX: dict[str, Any] = {
    "id": "sbx_1",
    "name": None,
    "version": 1,
    "env": {},
    "persistShell": False,
    "runtimes": [],
    "policy": {"readOnly": False, "denySecrets": False, "denyGlobs": [], "redactSecrets": False},
    "shell": None,
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:00:00Z",
    "expiresAt": None,
    "idleTimeout": None,
    "idleExpiresAt": None,
}
EXEC = {
    "exitCode": 0,
    "stdout": "hi\n",
    "stderr": "",
    "durationMs": 1,
    "truncated": {"stdout": False, "stderr": False},
    "commit": {"status": "unchanged", "version": 1},
}


def problem(status: int, code: str, retryable: bool = False, **headers: str) -> httpx.Response:
    body = {"type": "about:blank", "title": code, "status": status, "code": code}
    body["retryable"] = retryable
    return httpx.Response(
        status,
        json=body,
        headers={"content-type": "application/problem+json", **headers},
    )


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between attempts, recorded instead of slept; jitter pinned to its maximum."""
    waited: list[float] = []

    async def record_async(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(sync_transport, "_sleep", waited.append)
    monkeypatch.setattr(async_transport, "_sleep", record_async)
    monkeypatch.setattr("cairn._retry._random.random", lambda: 1.0)
    return waited


def client(**kwargs: Any) -> Cairn:
    return Cairn(base_url=BASE, api_key="k" * 20, **kwargs)


@respx.mock
def test_retries_a_retryable_503_then_succeeds(delays: list[float]) -> None:
    route = respx.get(f"{BASE}/v1/sandboxes/sbx_1").mock(
        side_effect=[
            problem(503, "unavailable", True),
            problem(503, "unavailable", True),
            httpx.Response(200, json=SANDBOX),
        ]
    )
    assert client().sandboxes.get("sbx_1").id == "sbx_1"
    assert route.call_count == 3
    assert delays == [0.5, 1.0]  # full jitter's upper bound: 0.5 s x 2^n


@respx.mock
def test_raises_the_last_error_once_retries_are_spent(delays: list[float]) -> None:
    route = respx.get(f"{BASE}/v1/sandboxes/sbx_1").mock(
        return_value=problem(503, "unavailable", True)
    )
    with pytest.raises(InternalServerError) as caught:
        client().sandboxes.get("sbx_1")
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        503,
        "unavailable",
        True,
    )
    assert route.call_count == 3


@respx.mock
def test_a_non_retryable_problem_is_not_retried(delays: list[float]) -> None:
    route = respx.get(f"{BASE}/v1/sandboxes/sbx_1").mock(
        return_value=problem(500, "internal_error")
    )
    with pytest.raises(InternalServerError):
        client().sandboxes.get("sbx_1")
    assert route.call_count == 1


@respx.mock
def test_per_call_max_retries_overrides_the_client(delays: list[float]) -> None:
    route = respx.get(f"{BASE}/v1/sandboxes/sbx_1").mock(
        return_value=problem(503, "unavailable", True)
    )
    with pytest.raises(InternalServerError):
        client(max_retries=5).sandboxes.get("sbx_1", max_retries=0)
    assert route.call_count == 1


@respx.mock
def test_retry_after_seconds_is_honoured(delays: list[float]) -> None:
    respx.get(f"{BASE}/v1/health").mock(
        side_effect=[
            problem(429, "rate_limited", True, **{"retry-after": "3"}),
            httpx.Response(200, json={"status": "ok", "version": "1"}),
        ]
    )
    client().health()
    assert delays == [3.0]


@respx.mock
def test_retry_after_http_date_is_honoured(delays: list[float]) -> None:
    at = formatdate(__import__("time").time() + 5, usegmt=True)
    respx.get(f"{BASE}/v1/health").mock(
        side_effect=[
            problem(503, "unavailable", True, **{"retry-after": at}),
            httpx.Response(200, json={"status": "ok", "version": "1"}),
        ]
    )
    client().health()
    assert 3.0 < delays[0] <= 5.0


@respx.mock
def test_a_retry_after_over_a_minute_gives_the_error_to_the_caller(delays: list[float]) -> None:
    respx.get(f"{BASE}/v1/health").mock(
        return_value=problem(429, "rate_limited", True, **{"retry-after": "120"})
    )
    with pytest.raises(RateLimitError) as caught:
        client().health()
    assert caught.value.retry_after == 120.0
    assert delays == []


@respx.mock
def test_connection_errors_are_retried_then_raised(delays: list[float]) -> None:
    route = respx.get(f"{BASE}/v1/health").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        client().health()
    assert caught.value.code == "connection_failed" and caught.value.retryable
    assert route.call_count == 3


@respx.mock
def test_one_idempotency_key_across_a_posts_retries(delays: list[float]) -> None:
    route = respx.post(f"{BASE}/v1/sandboxes/sbx_1/exec").mock(
        side_effect=[
            httpx.ConnectError("lost"),
            problem(409, "conflict", True),
            httpx.Response(200, json=EXEC),
        ]
    )
    result = client().sandboxes.attach("sbx_1").exec("echo hi")
    assert result.stdout == "hi\n"
    keys = {call.request.headers["idempotency-key"] for call in route.calls}
    assert len(route.calls) == 3 and len(keys) == 1


@respx.mock
def test_a_given_idempotency_key_is_sent_as_is(delays: list[float]) -> None:
    route = respx.post(f"{BASE}/v1/sandboxes/sbx_1/exec").mock(
        return_value=httpx.Response(200, json=EXEC)
    )
    sandbox = client().sandboxes.attach("sbx_1")
    sandbox.exec("echo hi", idempotency_key="my-key")
    sandbox.exec("echo hi")
    sandbox.exec("echo hi")
    sent = [call.request.headers["idempotency-key"] for call in route.calls]
    assert sent[0] == "my-key" and sent[1] != sent[2]


@respx.mock
def test_a_streamed_upload_is_sent_once_without_a_generated_key(delays: list[float]) -> None:
    route = respx.put(f"{BASE}/v1/sandboxes/sbx_1/files").mock(
        return_value=problem(503, "unavailable", True)
    )
    with pytest.raises(InternalServerError):
        client().sandboxes.attach("sbx_1").fs.write("/a", iter([b"a", b"b"]))
    assert route.call_count == 1
    assert "idempotency-key" not in route.calls[0].request.headers


@respx.mock
def test_a_non_retryable_conflict_is_not_retried(delays: list[float]) -> None:
    route = respx.delete(f"{BASE}/v1/sandboxes/sbx_1/files").mock(
        return_value=problem(409, "ENOTEMPTY")
    )
    with pytest.raises(ConflictError):
        client().sandboxes.attach("sbx_1").fs.delete("/dir")
    assert route.call_count == 1


@respx.mock
def test_extra_headers_and_timeout_per_call(delays: list[float]) -> None:
    route = respx.get(f"{BASE}/v1/health").mock(
        return_value=httpx.Response(200, json={"status": "ok", "version": "1"})
    )
    client().health(extra_headers={"X-Trace": "t1"}, timeout=3)
    request = route.calls[0].request
    assert request.headers["x-trace"] == "t1"
    assert request.extensions["timeout"]["read"] == 3


@respx.mock
def test_a_client_side_timeout_is_an_api_timeout_error(delays: list[float]) -> None:
    respx.get(f"{BASE}/v1/health").mock(side_effect=httpx.ReadTimeout("slow"))
    from cairn import APITimeoutError

    with pytest.raises(APITimeoutError):
        client(max_retries=0).health()


@pytest.mark.anyio
@respx.mock
async def test_the_async_client_retries_with_one_key(delays: list[float]) -> None:
    route = respx.post(f"{BASE}/v1/sandboxes").mock(
        side_effect=[problem(502, "unavailable", True), httpx.Response(201, json=SANDBOX)]
    )
    async with AsyncCairn(base_url=BASE, api_key="k" * 20) as acairn:
        sandbox = await acairn.sandboxes.create(name="x")
    assert sandbox.id == "sbx_1"
    keys = {call.request.headers["idempotency-key"] for call in route.calls}
    assert len(keys) == 1 and delays == [0.5]
    assert json.loads(route.calls[0].request.content) == {"name": "x"}


def test_bad_arguments_raise_before_any_request() -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        c = client()
        sandbox = c.sandboxes.attach("sbx_1")
        with pytest.raises(ValueError):
            sandbox.fs.read("relative/path")
        with pytest.raises(TypeError):
            sandbox.exec(42)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            sandbox.fs.read("/a", start=5, end=2)
        with pytest.raises(ValueError):
            c.health(max_retries=-1)
        with pytest.raises(ValueError):
            sandbox.exec_batch([])
        with pytest.raises(ValueError):
            Cairn(base_url=BASE, api_key="")
        assert route.call_count == 0


@pytest.mark.parametrize(
    ("given", "want"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 5 ", 5.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        (None, None),
        ("soon", None),
        ("-1", None),
    ],
)
def test_parse_retry_after(given: str | None, want: float | None) -> None:
    now = 1445412480.0  # 2015-10-21T07:28:00Z
    assert parse_retry_after(given, now) == want


@pytest.mark.parametrize(
    ("method", "key", "status", "retryable", "want"),
    [
        ("GET", False, None, None, 0.5),
        ("GET", False, 429, None, 0.5),
        ("GET", False, 503, True, 0.5),
        ("GET", False, 502, None, 0.5),
        ("GET", False, 500, None, None),
        ("GET", False, 500, False, None),
        ("GET", False, 400, True, None),
        ("GET", False, 404, None, None),
        ("POST", False, None, None, None),
        ("POST", True, None, None, 0.5),
        ("PATCH", False, 503, None, None),
        ("PUT", False, 503, None, 0.5),
        ("DELETE", False, 503, None, 0.5),
    ],
)
def test_retry_delay_table(
    method: str, key: bool, status: int | None, retryable: bool | None, want: float | None
) -> None:
    got = retry_delay(
        method=method,
        has_idempotency_key=key,
        attempt=0,
        max_retries=2,
        status=status,
        retryable=retryable,
        retry_after=None,
        random=lambda: 1.0,
    )
    assert got == want


def test_backoff_doubles_capped_at_8s_with_full_jitter() -> None:
    def delay(attempt: int, rand: float) -> float | None:
        return retry_delay(
            method="GET",
            has_idempotency_key=False,
            attempt=attempt,
            max_retries=100,
            status=503,
            retryable=None,
            retry_after=None,
            random=lambda: rand,
        )

    assert [delay(n, 1.0) for n in (0, 1, 2, 3, 4, 5, 9)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert delay(3, 0.0) == 0.0 and delay(3, 0.25) == 1.0
