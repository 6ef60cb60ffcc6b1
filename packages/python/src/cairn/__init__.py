"""Cairn: persistent bash workspaces for AI agents. `Cairn` (sync) and `AsyncCairn` (async).

The errors load with the package; each client (and the models it uses) loads on first use, so a
sync program never imports the async client and `import cairn` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
from ._version import __version__

if TYPE_CHECKING:
    from ._async.client import AsyncCairn
    from ._async.history import AsyncSandboxHistory
    from ._async.pagination import AsyncPage, AsyncPager
    from ._async.sandbox import AsyncSandbox
    from ._async.streaming import AsyncExecStream
    from ._async.watch import AsyncCommitWatch
    from ._base_client import NOT_GIVEN, NotGiven
    from ._events import ExecExitEvent, ExecOutputEvent, ExecStreamEvent, ExecStreamResult
    from ._sync.client import Cairn
    from ._sync.history import SandboxHistory
    from ._sync.pagination import Page, Pager
    from ._sync.sandbox import Sandbox
    from ._sync.streaming import ExecStream
    from ._sync.watch import CommitWatch

_LAZY = {
    "AsyncCairn": "._async.client",
    "AsyncPage": "._async.pagination",
    "AsyncPager": "._async.pagination",
    "AsyncSandbox": "._async.sandbox",
    "AsyncExecStream": "._async.streaming",
    "AsyncSandboxHistory": "._async.history",
    "AsyncCommitWatch": "._async.watch",
    "ExecExitEvent": "._events",
    "ExecOutputEvent": "._events",
    "ExecStreamEvent": "._events",
    "ExecStreamResult": "._events",
    "Cairn": "._sync.client",
    "NOT_GIVEN": "._base_client",
    "NotGiven": "._base_client",
    "Page": "._sync.pagination",
    "Pager": "._sync.pagination",
    "Sandbox": "._sync.sandbox",
    "ExecStream": "._sync.streaming",
    "SandboxHistory": "._sync.history",
    "CommitWatch": "._sync.watch",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cairn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ArchiveRejectedError",
    "AsyncCairn",
    "AsyncCommitWatch",
    "AsyncExecStream",
    "AsyncPage",
    "AsyncPager",
    "AsyncSandbox",
    "AsyncSandboxHistory",
    "AuthenticationError",
    "BadRequestError",
    "Cairn",
    "CairnError",
    "CommitWatch",
    "ConflictError",
    "EditMatchError",
    "ExecExitEvent",
    "ExecOutputEvent",
    "ExecStream",
    "ExecStreamEvent",
    "ExecStreamResult",
    "IdempotencyKeyMismatchError",
    "InternalServerError",
    "NOT_GIVEN",
    "NotGiven",
    "NotFoundError",
    "Page",
    "Pager",
    "PatchConflictError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "QuotaExceededError",
    "RateLimitError",
    "Sandbox",
    "SandboxHistory",
    "TimeoutError",
    "__version__",
]
