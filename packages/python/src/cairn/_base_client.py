"""The core both clients share: configuration, request building, idempotency keys and validation."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterable, Iterable, Literal, Mapping, Optional, Union
from urllib.parse import quote

from ._retry import DEFAULT_MAX_RETRIES, KEYED_METHODS
from ._version import __version__

DEFAULT_BASE_URL = "http://127.0.0.1:7878"
DEFAULT_TIMEOUT = 60.0
# The server's script time limit when `timeout_ms` is not given, and the grace on top of it.
DEFAULT_SCRIPT_TIMEOUT = 30.0
EXEC_GRACE = 10.0
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"

Body = Union[bytes, Iterable[bytes], AsyncIterable[bytes], None]


class NotGiven:
    """The default of an argument whose `None` means something (`update(expires_at=None)`
    removes the expiry), as in the OpenAI SDK: `NOT_GIVEN` leaves the setting as it is."""

    _instance: Optional[NotGiven] = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


@dataclass(frozen=True)
class RequestOptions:
    """Per-call options every method takes as keyword arguments."""

    timeout: Optional[float] = None
    max_retries: Optional[int] = None
    idempotency_key: Optional[str] = None
    extra_headers: Optional[Mapping[str, str]] = None


@dataclass
class ApiRequest:
    """One API call before it is sent: what the resource methods build and the transports send."""

    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Optional[str]] = field(default_factory=dict)
    json: Any = None
    content: Body = None
    # The body is a caller's stream: sent once, never retried, no generated Idempotency-Key.
    one_shot: bool = False
    # A longer default timeout for this call (exec: the script's limit plus a grace).
    timeout: Optional[float] = None
    # Error statuses whose body is an answer, not a failure (readiness: 503 says why).
    answer_statuses: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PreparedCall:
    """What the transport needs: the httpx arguments, the retry budget and the timeout."""

    method: str
    url: str
    params: list[tuple[str, Union[str, int, float, bool, None]]]
    headers: dict[str, str]
    json: Any
    content: Body
    max_retries: int
    timeout: float
    has_idempotency_key: bool
    answer_statuses: frozenset[int] = frozenset()


class ClientConfig:
    """The settings of a client, and `prepare()`, which turns an `ApiRequest` into a call."""

    def __init__(
        self,
        *,
        base_url: Optional[str],
        api_key: Optional[str],
        timeout: Optional[float],
        max_retries: Optional[int],
        default_headers: Optional[Mapping[str, str]],
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("CAIRN_API_KEY")
        if not key:
            raise ValueError("api_key is required (or set CAIRN_API_KEY)")
        url = base_url or os.environ.get("CAIRN_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = url.rstrip("/")
        self.api_key = key
        self.timeout = DEFAULT_TIMEOUT if timeout is None else check_timeout(timeout)
        self.max_retries = (
            DEFAULT_MAX_RETRIES if max_retries is None else check_retries(max_retries)
        )
        self.headers = {
            "User-Agent": f"cairn-sdk-python/{__version__}",
            **(default_headers or {}),
            "Authorization": f"Bearer {key}",
        }

    def prepare(self, request: ApiRequest, options: RequestOptions) -> PreparedCall:
        """Builds the call once; every retry sends the same headers, so the same key."""
        headers = dict(self.headers)
        headers.update({k: v for k, v in request.headers.items() if v is not None})
        if options.extra_headers:
            headers.update(options.extra_headers)
        key = options.idempotency_key
        if key is not None:
            headers[IDEMPOTENCY_KEY_HEADER] = key
        elif (
            not request.one_shot
            and request.method in KEYED_METHODS
            and not any(k.lower() == "idempotency-key" for k in headers)
        ):
            headers[IDEMPOTENCY_KEY_HEADER] = str(uuid.uuid4())
        has_key = any(k.lower() == "idempotency-key" for k in headers)
        if options.max_retries is not None:
            check_retries(options.max_retries)
        max_retries = 0 if request.one_shot else _first(options.max_retries, self.max_retries)
        if options.timeout is not None:
            timeout = check_timeout(options.timeout)
        elif request.timeout is not None:
            timeout = max(self.timeout, request.timeout)
        else:
            timeout = self.timeout
        return PreparedCall(
            method=request.method,
            url=self.base_url + request.path,
            params=query_params(request.params),
            headers=headers,
            json=request.json,
            content=request.content,
            max_retries=max_retries,
            timeout=timeout,
            has_idempotency_key=has_key,
            answer_statuses=request.answer_statuses,
        )


def _first(value: Optional[int], default: int) -> int:
    return default if value is None else value


def check_timeout(timeout: float) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def check_retries(max_retries: int) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a non-negative integer, got {max_retries!r}")
    return max_retries


def query_params(params: Mapping[str, Any]) -> list[tuple[str, Union[str, int, float, bool, None]]]:
    """Query parameters without the unset ones; booleans as `true`/`false`, lists repeated."""
    out: list[tuple[str, Union[str, int, float, bool, None]]] = []
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item is None:
                continue
            out.append(
                (name, ("true" if item else "false") if isinstance(item, bool) else str(item))
            )
    return out


def compact(body: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON body without the fields left unset (None)."""
    return {k: v for k, v in body.items() if v is not None}


def check_str(name: str, value: object, *, empty: bool = False) -> str:
    """Raises before any request when a string argument is missing or of the wrong type."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not empty and value == "":
        raise ValueError(f"{name} must not be empty")
    return value


def check_path(name: str, value: object) -> str:
    path = check_str(name, value)
    if not path.startswith("/"):
        raise ValueError(f"{name} must be an absolute sandbox path (start with /), got {path!r}")
    if "\x00" in path:
        raise ValueError(f"{name} must not contain NUL")
    return path


def check_int(name: str, value: Optional[int], *, minimum: int = 0) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def sandbox_path(sandbox_id: str, suffix: str = "") -> str:
    check_str("sandbox_id", sandbox_id)
    return f"/v1/sandboxes/{quote(sandbox_id, safe='')}{suffix}"


def exec_timeout(timeout_ms: Optional[int]) -> float:
    """The HTTP limit for a script run: the script's limit plus a grace."""
    script = DEFAULT_SCRIPT_TIMEOUT if timeout_ms is None else timeout_ms / 1000
    return script + EXEC_GRACE


def range_header(start: Optional[int], end: Optional[int]) -> Optional[str]:
    if start is None and end is None:
        return None
    first = check_int("start", 0 if start is None else start)
    last = check_int("end", end)
    if last is not None and first is not None and last < first:
        raise ValueError(f"Invalid byte range: start {first}, end {last}")
    return f"bytes={first}-{'' if last is None else last}"


def snapshot_id(snapshot: object, name: str = "snapshot") -> str:
    """A snapshot's id from the id itself or from anything with an `id` (a `Snapshot`)."""
    value = snapshot if isinstance(snapshot, str) else getattr(snapshot, "id", snapshot)
    return check_str(name, value)


def version_ref(name: str, value: object) -> str:
    """A diff side as the API takes it: a snapshot (id or `Snapshot`) or a version number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(check_int(name, value, minimum=1))
    return snapshot_id(value, name)


def expiry_body(
    *,
    ttl: Optional[int],
    expires_at: Union[datetime, str, None, NotGiven],
    idle_timeout: Union[int, None, NotGiven],
) -> dict[str, Any]:
    """The expiry fields of a create or update body; NOT_GIVEN leaves a field out, None sends
    null (on update: no expiry, no idle timeout)."""
    if ttl is not None and expires_at is not None and not isinstance(expires_at, NotGiven):
        raise ValueError("give either ttl or expires_at, not both")
    body: dict[str, Any] = {}
    if ttl is not None:
        body["ttl"] = check_int("ttl", ttl, minimum=1)
    if isinstance(expires_at, datetime):
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware (e.g. datetime.now(timezone.utc))")
        body["expiresAt"] = expires_at.isoformat()
    elif not isinstance(expires_at, NotGiven):
        body["expiresAt"] = None if expires_at is None else check_str("expires_at", expires_at)
    if not isinstance(idle_timeout, NotGiven):
        body["idleTimeout"] = check_int("idle_timeout", idle_timeout, minimum=1)
    return body


def creation_expiry(
    *,
    ttl: Optional[int],
    expires_at: Union[datetime, str, None],
    idle_timeout: Optional[int],
) -> dict[str, Any]:
    """The expiry fields of a new sandbox (as `expiry_body`, where None leaves a field out)."""
    return expiry_body(
        ttl=ttl,
        expires_at=NOT_GIVEN if expires_at is None else expires_at,
        idle_timeout=NOT_GIVEN if idle_timeout is None else idle_timeout,
    )


def if_version(version: Optional[int]) -> Optional[str]:
    return None if check_int("if_version", version) is None else f'"{version}"'
