"""One exception tree from one factory: each error family from its status and problem code."""

from __future__ import annotations

import httpx
import pytest
import respx

import cairn
from cairn import Cairn

BASE = "http://cairn.test"


def problem(status: int, code: str, **extra: object) -> httpx.Response:
    body = {"type": "about:blank", "title": code, "status": status, "code": code}
    body.update(extra)
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


CASES = [
    (problem(404, "sandbox_not_found"), cairn.NotFoundError),
    (problem(409, "EEXIST"), cairn.ConflictError),
    (problem(412, "precondition_failed"), cairn.PreconditionFailedError),
    (problem(429, "rate_limited"), cairn.RateLimitError),
    (problem(507, "EDQUOT"), cairn.QuotaExceededError),
    (problem(422, "edit_no_match"), cairn.EditMatchError),
    (problem(422, "edit_ambiguous"), cairn.EditMatchError),
    (problem(422, "patch_conflict", hunk=2, path="/a"), cairn.PatchConflictError),
    (problem(422, "idempotency_key_mismatch"), cairn.IdempotencyKeyMismatchError),
    (problem(400, "archive_invalid"), cairn.ArchiveRejectedError),
    (problem(400, "invalid_request"), cairn.BadRequestError),
    (problem(401, "unauthorized"), cairn.AuthenticationError),
    (problem(403, "forbidden"), cairn.PermissionDeniedError),
    (problem(408, "timeout"), cairn.TimeoutError),
    (problem(500, "internal_error"), cairn.InternalServerError),
    (httpx.Response(502, text="<html>bad gateway</html>"), cairn.InternalServerError),
    (httpx.Response(418, text="teapot"), cairn.BadRequestError),
]


@pytest.mark.parametrize(("response", "cls"), CASES, ids=[c[1].__name__ for c in CASES])
def test_each_error_family(response: httpx.Response, cls: type[cairn.APIError]) -> None:
    with respx.mock:
        respx.get(f"{BASE}/v1/health").mock(return_value=response)
        with pytest.raises(cls) as caught:
            Cairn(base_url=BASE, api_key="k" * 20, max_retries=0).health()
    error = caught.value
    assert type(error) is cls
    assert isinstance(error, cairn.APIError) and isinstance(error, cairn.CairnError)
    assert error.status == response.status_code
    assert isinstance(error.code, str) and isinstance(error.retryable, bool)


def test_fields_of_an_error() -> None:
    with respx.mock:
        respx.get(f"{BASE}/v1/health").mock(
            return_value=httpx.Response(
                422,
                json={
                    "type": "x",
                    "title": "t",
                    "status": 422,
                    "code": "patch_conflict",
                    "retryable": False,
                    "detail": "hunk 2 failed",
                    "hunk": 2,
                    "path": "/a.txt",
                },
                headers={"content-type": "application/problem+json", "x-request-id": "req_1"},
            )
        )
        with pytest.raises(cairn.PatchConflictError) as caught:
            Cairn(base_url=BASE, api_key="k" * 20).health()
    error = caught.value
    assert (error.code, error.detail, error.request_id) == (
        "patch_conflict",
        "hunk 2 failed",
        "req_1",
    )
    assert (error.hunk, error.path) == (2, "/a.txt")
    assert "422 patch_conflict: hunk 2 failed" in str(error)


def test_a_gateway_page_becomes_a_retryable_problem() -> None:
    with respx.mock:
        respx.get(f"{BASE}/v1/health").mock(return_value=httpx.Response(503, text="down"))
        with pytest.raises(cairn.InternalServerError) as caught:
            Cairn(base_url=BASE, api_key="k" * 20, max_retries=0).health()
    assert (caught.value.code, caught.value.retryable, caught.value.detail) == (
        "unavailable",
        True,
        "down",
    )
