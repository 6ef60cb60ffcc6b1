"""The two clients, twins over one core: `Cairn` (sync) and `AsyncCairn` (async)."""

from ._async.client import AsyncCairn
from ._sync.client import Cairn

__all__ = ["AsyncCairn", "Cairn"]
