"""Cursor pagination: `for`/`async for` over every item, fetched one page at a time as you go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable, Generic, Optional, TypeVar

T = TypeVar("T")


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
