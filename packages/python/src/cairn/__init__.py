"""Cairn: persistent bash workspaces for AI agents. `Cairn` (sync) and `AsyncCairn` (async)."""

from ._async.pagination import AsyncPage, AsyncPager
from ._async.sandbox import AsyncSandbox
from ._async.streaming import AsyncExecStream
from ._client import AsyncCairn, Cairn
from ._events import ExecExitEvent, ExecOutputEvent, ExecStreamEvent, ExecStreamResult
from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ArchiveRejectedError,
    AuthenticationError,
    BadRequestError,
    CairnError,
    ConflictError,
    EditMatchError,
    IdempotencyKeyMismatchError,
    InternalServerError,
    NotFoundError,
    PatchConflictError,
    PermissionDeniedError,
    PreconditionFailedError,
    QuotaExceededError,
    RateLimitError,
    TimeoutError,
)
from ._sync.pagination import Page, Pager
from ._sync.sandbox import Sandbox
from ._sync.streaming import ExecStream
from ._version import __version__

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ArchiveRejectedError",
    "AsyncCairn",
    "AsyncExecStream",
    "AsyncPage",
    "AsyncPager",
    "AsyncSandbox",
    "AuthenticationError",
    "BadRequestError",
    "Cairn",
    "CairnError",
    "ConflictError",
    "EditMatchError",
    "ExecExitEvent",
    "ExecOutputEvent",
    "ExecStream",
    "ExecStreamEvent",
    "ExecStreamResult",
    "IdempotencyKeyMismatchError",
    "InternalServerError",
    "NotFoundError",
    "Page",
    "Pager",
    "PatchConflictError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "QuotaExceededError",
    "RateLimitError",
    "Sandbox",
    "TimeoutError",
    "__version__",
]
