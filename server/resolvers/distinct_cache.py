"""The in-process columnar copy of each importer's per-day user ids, loaded in
the background at start and whenever daily processing bumps the importer's
data version, so no request ever waits for a load.

One per application (not per request, and never module-level: each app — and
each test database — keeps its own). Each request checks the version with one
cheap statement, so an answer is never older than the rollups it stands on:
while the copy of that version is not ready, ``ids`` answers None and the caller
reads just its own workshops and days with SQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.memory import trim_soon
from server.resolvers.distinct_ids import IdsByKind, load_all, version

log = logging.getLogger(__name__)

CacheState = Literal["cold", "loading", "warm"]


@dataclass(frozen=True)
class _Entry:
    version: int
    ids: IdsByKind


Loader = Callable[
    [AsyncEngine, int, tuple[int, IdsByKind] | None], Awaitable[tuple[int, IdsByKind]]
]
"""(engine, importer id, the ids held now and their version) → (version, ids)."""


class DistinctCache:
    def __init__(
        self,
        loader: Loader = load_all,
        one_at_a_time: asyncio.Lock | None = None,
        wait_seconds: float = 0.0,
    ) -> None:
        self.loader = loader
        """How a copy is read (a test may hold it back to see requests meanwhile)."""
        self.one_at_a_time = one_at_a_time or asyncio.Lock()
        """Shared with the day copies: one load at a time bounds a load's peak memory."""
        self.wait_seconds = wait_seconds
        """How long a request may wait for a load under way before it reads SQL."""
        self._entries: dict[int, _Entry] = {}
        self._wanted: dict[int, int] = {}  # the newest version each importer was seen at
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._warmed = False

    @property
    def state(self) -> CacheState:
        """``cold`` before start-up loading began, ``loading`` while any
        importer's copy is behind its known version, else ``warm``."""
        if not self._warmed:
            return "cold"
        return "loading" if any(not t.done() for t in self._tasks.values()) else "warm"

    def loaded_version(self, importer_id: int) -> int | None:
        """The data version of the importer's loaded copy (None: none loaded)."""
        entry = self._entries.get(importer_id)
        return entry.version if entry else None

    @property
    def nbytes(self) -> int:
        """The memory the copies' arrays hold."""
        return sum(a.nbytes for e in self._entries.values() for a in e.ids.values())

    async def ids(
        self, engine: AsyncEngine, importer_id: int, current: int | None = None
    ) -> IdsByKind | None:
        """The importer's ids per kind as of its latest processing run (or as of
        ``current``, the version the request already read), or None while that
        copy is loading (a load is then under way)."""
        if current is None:
            async with engine.connect() as conn:
                current = await version(conn, importer_id)
        entry = self._entries.get(importer_id)
        if entry is not None and entry.version == current:
            return entry.ids
        self.refresh(engine, importer_id, current)
        task = self._tasks.get(importer_id)
        if task is None or task.done() or self.wait_seconds <= 0:
            return None
        # a refresh from copy blocks takes a fraction of what reading SQL would
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), self.wait_seconds)
        entry = self._entries.get(importer_id)
        return entry.ids if entry is not None and entry.version == current else None

    def refresh(self, engine: AsyncEngine, importer_id: int, seen: int) -> None:
        """Load the importer's copy of version ``seen`` (or newer) in the
        background, unless it is loaded or loading (a load that ends behind
        ``seen`` reloads)."""
        self._wanted[importer_id] = max(seen, self._wanted.get(importer_id, seen))
        entry = self._entries.get(importer_id)
        if entry is not None and entry.version >= seen:
            return
        task = self._tasks.get(importer_id)
        if task is None or task.done():
            self._tasks[importer_id] = asyncio.create_task(self._load(engine, importer_id))

    async def _load(self, engine: AsyncEngine, importer_id: int) -> None:
        for _ in range(3):  # a run committing during a load makes it reload once more
            held = self._entries.get(importer_id)
            previous = (held.version, held.ids) if held is not None else None
            try:
                async with self.one_at_a_time:
                    as_of, ids = await self.loader(engine, importer_id, previous)
            except Exception:  # the request path falls back to SQL; the next request retries
                log.exception("loading the distinct-count copy of importer %s failed", importer_id)
                return
            self._entries[importer_id] = _Entry(as_of, ids)
            del previous, held
            trim_soon()  # glibc keeps what a load freed in its heap
            if as_of >= self._wanted.get(importer_id, 0):
                return

    async def warm(self, engine: AsyncEngine) -> None:
        """Start loading every processed importer whose copy is behind (at
        start-up, and after missing notifications)."""
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT importer_id, data_version FROM processing_state"))
            ).all()
        for importer_id, seen in rows:
            self.refresh(engine, int(importer_id), int(seen))
        self._warmed = True

    async def settled(self) -> None:
        """Wait until no load is under way (tests; shutdown)."""
        while pending := [t for t in self._tasks.values() if not t.done()]:
            await asyncio.wait(pending)

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
