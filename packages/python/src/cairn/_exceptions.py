"""The errors the client raises: one tree, and one factory that picks the class from a response."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ._retry import parse_retry_after

if TYPE_CHECKING:  # only in annotations: `import cairn` does not load httpx
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ArchiveRejectedError",
    "AuthenticationError",
    "BadRequestError",
    "CairnError",
    "ConflictError",
    "EditMatchError",
    "IdempotencyKeyMismatchError",
    "InternalServerError",
    "NotFoundError",
    "PatchConflictError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "QuotaExceededError",
    "RateLimitError",
    "TimeoutError",
    "error_from_problem",
    "error_from_response",
]


class CairnError(Exception):
    """The root of every error this client raises (including bad arguments: `ValueError` too)."""


class APIError(CairnError):
    """The server answered with an error status; `problem` holds its RFC 9457 body."""

    status: int
    code: str
    detail: Optional[str]
    retryable: bool
    request_id: Optional[str]
    problem: dict[str, Any]
    headers: httpx.Headers

    def __init__(self, status: int, problem: Mapping[str, Any], headers: httpx.Headers) -> None:
        self.status = status
        self.code = str(problem["code"])
        detail = problem.get("detail")
        self.detail = detail if isinstance(detail, str) else None
        self.retryable = problem.get("retryable") is True
        request_id = problem.get("requestId") or headers.get("x-request-id")
        self.request_id = request_id if isinstance(request_id, str) else None
        self.problem = dict(problem)
        self.headers = headers
        super().__init__(f"{status} {self.code}: {self.detail or problem.get('title', '')}")


class BadRequestError(APIError):
    """400, 413, 415, 416, 422 or `invalid_request`: the request itself is wrong."""


class IdempotencyKeyMismatchError(BadRequestError):
    """422 `idempotency_key_mismatch`: the key was used with a different request."""


class EditMatchError(BadRequestError):
    """422 `edit_no_match` / `edit_ambiguous`: `old_string` is not in the file, or is twice."""


class PatchConflictError(BadRequestError):
    """422 `patch_conflict`: a hunk did not apply; `hunk` and `path` say where."""

    @property
    def hunk(self) -> Optional[int]:
        hunk = self.problem.get("hunk")
        return hunk if isinstance(hunk, int) else None

    @property
    def path(self) -> Optional[str]:
        path = self.problem.get("path")
        return path if isinstance(path, str) else None


class ArchiveRejectedError(BadRequestError):
    """An archive the server refused (`archive_*` codes); nothing was applied."""


class AuthenticationError(APIError):
    """401: the API key is missing, wrong, revoked or expired."""


class PermissionDeniedError(APIError):
    """403: the API key may not do this."""


class NotFoundError(APIError):
    """404: no such sandbox, file, tenant, key or route (`code` says which)."""


class ConflictError(APIError):
    """409: the path is in the way, a concurrent write won, or the same key is in flight."""


class PreconditionFailedError(APIError):
    """412: an If-Match / If-None-Match did not hold; nothing changed."""


class TimeoutError(APIError):
    """408 or `timeout`: the script ran out of time on the server; nothing was committed."""


class RateLimitError(APIError):
    """429: too many requests; `retry_after` is the server's requested wait in seconds."""

    @property
    def retry_after(self) -> Optional[float]:
        return parse_retry_after(self.headers.get("retry-after"))


class QuotaExceededError(APIError):
    """507 `EDQUOT`: the change would leave the sandbox over its quota of bytes or files."""


class InternalServerError(APIError):
    """5xx: the server failed (`unavailable` ones are retryable)."""


class APIConnectionError(CairnError):
    """No response: the server could not be reached or the connection broke."""

    status: None = None
    request_id: None = None
    detail: Optional[str] = None
    code: str = "connection_failed"
    retryable: bool = True


class APITimeoutError(APIConnectionError):
    """No response within the client-side `timeout` (after any retries)."""

    code: str = "request_timeout"


_CLASS_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: TimeoutError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: BadRequestError,
    415: BadRequestError,
    416: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
    507: QuotaExceededError,
}

_CODE_BY_STATUS: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "route_not_found",
    405: "method_not_allowed",
    408: "timeout",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    429: "rate_limited",
    502: "unavailable",
    503: "unavailable",
    504: "unavailable",
}
# "Try again later" even without a problem body (e.g. from a proxy).
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})


def _class_for(status: int, code: str) -> type[APIError]:
    if code == "idempotency_key_mismatch":
        return IdempotencyKeyMismatchError
    if code in ("edit_no_match", "edit_ambiguous"):
        return EditMatchError
    if code == "patch_conflict":
        return PatchConflictError
    if code.startswith("archive_"):
        return ArchiveRejectedError
    if code == "timeout":
        return TimeoutError
    if code == "EDQUOT":
        return QuotaExceededError
    if code == "invalid_request":
        return BadRequestError
    found = _CLASS_BY_STATUS.get(status)
    if found is not None:
        return found
    return InternalServerError if status >= 500 else APIError


def as_problem(body: object) -> Optional[dict[str, Any]]:
    """The body as a problem when it looks like one (an object with a string `code`)."""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return None
    return dict(body)


def parse_body(content: bytes, content_type: str) -> object:
    """An error body as JSON when it says so, else as text."""
    if "json" in content_type.lower():
        try:
            parsed: object = json.loads(content)
        except ValueError:
            return content.decode("utf-8", "replace")
        return parsed
    return content.decode("utf-8", "replace")


def error_from_response(response: httpx.Response, body: object) -> APIError:
    """The one factory: the error for a failed response and its parsed body."""
    problem = as_problem(body)
    if problem is None:
        status = response.status_code
        text = body.strip()[:500] if isinstance(body, str) else ""
        problem = {
            "type": "about:blank",
            "title": response.reason_phrase or f"HTTP {status}",
            "status": status,
            "code": _CODE_BY_STATUS.get(
                status, "internal_error" if status >= 500 else "invalid_request"
            ),
            "retryable": status in _TRANSIENT_STATUSES,
        }
        if text:
            problem["detail"] = text
    cls = _class_for(response.status_code, str(problem["code"]))
    return cls(response.status_code, problem, response.headers)


def error_from_problem(body: object, headers: httpx.Headers) -> APIError:
    """The same factory for a problem inside a successful response (an exec stream's `error`)."""
    problem = as_problem(body) or {
        "type": "about:blank",
        "title": "Malformed error event",
        "status": 500,
        "code": "internal_error",
        "retryable": False,
        "detail": f"The server sent an error that is not a problem object: {str(body)[:500]}",
    }
    status = problem.get("status")
    status = status if isinstance(status, int) else 500
    return _class_for(status, str(problem["code"]))(status, problem, headers)
