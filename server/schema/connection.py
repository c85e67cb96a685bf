"""Cursor connections (the Relay connection spec): the page arguments, opaque
cursors, PageInfo, and slicing an ordered list into a page.

Both connections (``workshops``, ``salesPartners``) are ordered by id and take
``first``/``after`` to page forward and ``last``/``before`` to page backward."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from server.errors import BadUserInput

MAX_PAGE = 500
DEFAULT_PAGE = 50
T = TypeVar("T")


@strawberry.type(description="Where a page lies in its connection (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(
        description="The first item's cursor; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last item's cursor; null on an empty page."
    )

    @classmethod
    def of(cls, cursors: Sequence[str], *, has_next: bool, has_previous: bool) -> PageInfo:
        return cls(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page forward: at most this many items, 0..{MAX_PAGE} "
        f"(default {DEFAULT_PAGE} when last is not given either)."
    ),
]
After = Annotated[str | None, strawberry.argument(description="Only items after this cursor.")]
Last = Annotated[
    int | None,
    strawberry.argument(description=f"Page backward: the last this many items, 0..{MAX_PAGE}."),
]
Before = Annotated[str | None, strawberry.argument(description="Only items before this cursor.")]


@dataclass(frozen=True)
class PageRequest:
    """Validated page arguments: exactly one of ``first``/``last``, decoded cursors."""

    first: int | None
    last: int | None
    after: str | None
    before: str | None

    @classmethod
    def of(
        cls,
        kind: str,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
    ) -> PageRequest:
        if first is not None and last is not None:
            raise BadUserInput("give first (page forward) or last (page backward), not both")
        for name, size in (("first", first), ("last", last)):
            if size is not None and not 0 <= size <= MAX_PAGE:
                raise BadUserInput(f"{name} must be between 0 and {MAX_PAGE} (got {size})")
        if first is None and last is None:
            first = DEFAULT_PAGE
        return cls(
            first=first,
            last=last,
            after=decode_cursor(kind, after, "after") if after is not None else None,
            before=decode_cursor(kind, before, "before") if before is not None else None,
        )

    @property
    def size(self) -> int:
        return self.first if self.first is not None else self.last or 0


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    has_previous: bool


def slice_page(items: Sequence[T], key: Callable[[T], str], request: PageRequest) -> Page[T]:
    """The page of ``items`` (ordered by ``key``) that ``request`` asks for."""
    window = [
        item
        for item in items
        if (request.after is None or key(item) > request.after)
        and (request.before is None or key(item) < request.before)
    ]
    before_window = request.after is not None and any(key(i) <= request.after for i in items)
    after_window = request.before is not None and any(key(i) >= request.before for i in items)
    if request.last is not None:
        chosen = window[max(0, len(window) - request.last) :] if request.last else []
        return Page(chosen, has_next=after_window, has_previous=len(window) > request.last)
    size = request.size
    return Page(window[:size], has_next=len(window) > size, has_previous=before_window)


def encode_cursor(kind: str, ref: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{ref}".encode()).decode()


def decode_cursor(kind: str, cursor: str, argument: str = "after") -> str:
    try:
        found, _, ref = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        found, ref = "", ""
    if found != kind or not ref:
        raise BadUserInput(f"{argument}: '{cursor}' is not a cursor from this connection")
    return ref
