"""Per-document results of the request checks, worked out once per parsed document.

``ParserCache`` hands the same ``DocumentNode`` object to every request with the
same query text, so what the checks compute from the document alone (the NUL
scan of its literals, its expanded shape, its cost for given variables) is the
same for all of them: measured on a one-workshop dashboard, those walks were a
third of a warm request's Python time. A result is keyed by the document's
identity (the memo holds the document, so its id cannot be reused while the
entry lives) plus whatever else it depends on; the memo is bounded like the
parser cache.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache
from graphql import DocumentNode

T = TypeVar("T")

MAXSIZE = 256  # as ParserCache's: one entry per document the parser keeps


class DocumentMemo(Generic[T]):
    """A bounded LRU of ``compute()`` results per (document object, key)."""

    def __init__(self, maxsize: int = MAXSIZE) -> None:
        self._entries: LRUCache[tuple[int, Hashable], tuple[DocumentNode, T]] = LRUCache(maxsize)

    def get(self, document: DocumentNode, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``'s result for this document and key, computed at most once
        while the entry is kept."""
        slot = (id(document), key)
        found = self._entries.get(slot)
        if found is not None and found[0] is document:
            return found[1]
        value = compute()
        self._entries[slot] = (document, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
