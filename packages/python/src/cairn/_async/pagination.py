"""Cursor pagination: `for`/`async for` over every item, fetched one page at a time as you go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Generic,
    Mapping,
    Optional,
    Protocol,
    TypeVar,
)

from .._base_client import ApiRequest, RequestOptions, check_int
from .transport import AsyncTransport

T = TypeVar("T")


class _Listing(Protocol):
    """A page as the API returns it (`TenantPage`, `DirectoryListing`, ...)."""

    @property
    def next_cursor(self) -> Optional[str]: ...


L = TypeVar("L", bound=_Listing)


@dataclass(frozen=True)
class AsyncPage(Generic[T]):
    """One page of a listing; `next_cursor` is None on the last page."""

    items: list[T]
    next_cursor: Optional[str]
    _load: Callable[[Optional[str]], Awaitable[AsyncPage[T]]]

    def has_next_page(self) -> bool:
        return self.next_cursor is not None

    async def get_next_page(self) -> Optional[AsyncPage[T]]:
        return None if self.next_cursor is None else await self._load(self.next_cursor)


class AsyncPager(Generic[T]):
    """A listing not fetched yet: iterate it for every item across pages (lazily), or call
    `first_page()` for one page with its cursor."""

    def __init__(
        self, load: Callable[[Optional[str]], Awaitable[AsyncPage[T]]], cursor: Optional[str]
    ) -> None:
        self._load = load
        self._cursor = cursor

    async def first_page(self) -> AsyncPage[T]:
        return await self._load(self._cursor)

    async def __aiter__(self) -> AsyncIterator[T]:
        page: Optional[AsyncPage[T]] = await self._load(self._cursor)
        while page is not None:
            for item in page.items:
                yield item
            page = await page.get_next_page()


def paginate(
    transport: AsyncTransport,
    path: str,
    parse: Callable[[bytes], L],
    items: Callable[[L], list[T]],
    *,
    params: Optional[Mapping[str, Any]] = None,
    limit: Optional[int],
    cursor: Optional[str],
    options: RequestOptions,
) -> AsyncPager[T]:
    """A lazy listing of `GET path`: each page is sent `params`, `limit` and its cursor, read
    with `parse` and turned into items with `items`. Nothing is fetched before iteration; `limit`
    is checked now."""
    check_int("limit", limit, minimum=1)

    async def load(cursor: Optional[str]) -> AsyncPage[T]:
        query = {**(params or {}), "limit": limit, "cursor": cursor}
        request = ApiRequest("GET", path, params=query)
        response = await transport.request(request, options)
        page = parse(response.content)
        return AsyncPage(items(page), page.next_cursor, load)

    return AsyncPager(load, cursor)
