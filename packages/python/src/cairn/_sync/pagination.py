# Generated from src/cairn/_async/pagination.py by scripts/unasync.py: do not edit.
"""Cursor pagination: `for`/`for` over every item, fetched one page at a time as you go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Generic,
    Iterator,
    Mapping,
    Optional,
    Protocol,
    TypeVar,
)

from .._base_client import ApiRequest, RequestOptions, check_int
from .transport import Transport

T = TypeVar("T")


class _Listing(Protocol):
    """A page as the API returns it (`TenantPage`, `DirectoryListing`, ...)."""

    @property
    def next_cursor(self) -> Optional[str]: ...


L = TypeVar("L", bound=_Listing)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; `next_cursor` is None on the last page."""

    items: list[T]
    next_cursor: Optional[str]
    _load: Callable[[Optional[str]], Page[T]]

    def has_next_page(self) -> bool:
        return self.next_cursor is not None

    def get_next_page(self) -> Optional[Page[T]]:
        return None if self.next_cursor is None else self._load(self.next_cursor)


class Pager(Generic[T]):
    """A listing not fetched yet: iterate it for every item across pages (lazily), or call
    `first_page()` for one page with its cursor."""

    def __init__(self, load: Callable[[Optional[str]], Page[T]], cursor: Optional[str]) -> None:
        self._load = load
        self._cursor = cursor

    def first_page(self) -> Page[T]:
        return self._load(self._cursor)

    def __iter__(self) -> Iterator[T]:
        page: Optional[Page[T]] = self._load(self._cursor)
        while page is not None:
            for item in page.items:
                yield item
            page = page.get_next_page()


def paginate(
    transport: Transport,
    path: str,
    parse: Callable[[bytes], L],
    items: Callable[[L], list[T]],
    *,
    params: Optional[Mapping[str, Any]] = None,
    limit: Optional[int],
    cursor: Optional[str],
    options: RequestOptions,
) -> Pager[T]:
    """A lazy listing of `GET path`: each page is sent `params`, `limit` and its cursor, read
    with `parse` and turned into items with `items`. Nothing is fetched before iteration; `limit`
    is checked now."""
    check_int("limit", limit, minimum=1)

    def load(cursor: Optional[str]) -> Page[T]:
        query = {**(params or {}), "limit": limit, "cursor": cursor}
        request = ApiRequest("GET", path, params=query)
        response = transport.request(request, options)
        page = parse(response.content)
        return Page(items(page), page.next_cursor, load)

    return Pager(load, cursor)
