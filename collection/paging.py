"""One page of a longer list, the same shape for every list the pages, REST and CLI show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PER_PAGE = 100


@dataclass(slots=True)
class Page:
    """One page of a longer list: its items, where it is, how many there are in all."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the whole list takes (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))


def page_of(items: Sequence[Any], page: int, per_page: int = PER_PAGE) -> Page:
    """A page cut from a list already in memory."""
    page = max(1, page)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))
