"""The workshops a principal may see, kept in process between requests.

Every importer-wide request read all of the importer's workshops (2,000 rows at
full scale, ~2.3 ms of Python per request to decode them into rows). They
change only by a write that also bumps the importer's content version (ingest
of workshops, goals) or by a processing run (data version), and every request
reads both versions in its first statement already (``importer_and_version``).
So a list is kept per (importer, refs allowed) under the versions it was read
at, and a request that read the same versions is handed a copy of it.

Why that is safe: the versions are read before the list. A write commits the
rows and its version bump together, so a request that read the new version
reads a list with the new rows (a miss: the stamp differs); one that read the
old version started before the commit and may get either list. Keys carry the
importer id, so no list crosses tenants. The lists are kept per engine (one
database), bounded like the other per-document memos.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from cachetools import LRUCache
from sqlalchemy.ext.asyncio import AsyncEngine

from server.resolvers.tenancy import WorkshopRow

Key: TypeAlias = tuple[int, tuple[str, ...] | None]
"""(importer id, the refs a principal may see; None: all of them)."""
Stamp: TypeAlias = tuple[int, int]
"""(data version, content version) the list was read at."""

MAXSIZE = 256


class WorkshopLists:
    """A bounded LRU of workshop lists per key, each valid for one stamp."""

    def __init__(self, maxsize: int = MAXSIZE) -> None:
        self._entries: LRUCache[Key, tuple[Stamp, list[WorkshopRow]]] = LRUCache(maxsize)

    async def get(
        self, key: Key, stamp: Stamp, read: Callable[[], Awaitable[list[WorkshopRow]]]
    ) -> list[WorkshopRow]:
        """The list for ``key`` as of ``stamp``: kept, or ``read()`` and kept."""
        found = self._entries.get(key)
        if found is not None and found[0] == stamp:
            return list(found[1])  # a copy: callers may sort or extend theirs
        rows = await read()
        self._entries[key] = (stamp, list(rows))
        return rows

    def __len__(self) -> int:
        return len(self._entries)


_PER_ENGINE: weakref.WeakKeyDictionary[AsyncEngine, WorkshopLists] = weakref.WeakKeyDictionary()


def lists_for(engine: AsyncEngine) -> WorkshopLists:
    """The lists kept for this engine's database (made on first use)."""
    found = _PER_ENGINE.get(engine)
    if found is None:
        found = _PER_ENGINE[engine] = WorkshopLists()
    return found
