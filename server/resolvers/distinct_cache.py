"""The in-process columnar copy of each importer's per-day user ids, reloaded
when daily processing bumps the importer's data version.

One per application (not per request, and never module-level: each app — and
each test database — keeps its own). Each request checks the version with one
cheap statement, so an answer is never older than the rollups it stands on."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from itertools import chain

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.metrics.distinct import ActivityIds

KINDS = ("app", "staff")


async def _version(engine: AsyncEngine, importer_id: int) -> int:
    async with engine.connect() as conn:
        value = (
            await conn.execute(
                text("SELECT data_version FROM processing_state WHERE importer_id = :i"),
                {"i": importer_id},
            )
        ).scalar_one_or_none()
    return int(value or 0)


async def _load(engine: AsyncEngine, importer_id: int) -> dict[str, ActivityIds]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT kind, day, workshop_id, user_ids FROM workshop_day_users"
                    " WHERE importer_id = :i ORDER BY kind, day, workshop_id"
                ),
                {"i": importer_id},
            )
        ).all()
    by_kind: dict[str, list[tuple[int, int, list[int]]]] = defaultdict(list)
    for kind, day, workshop_id, user_ids in rows:
        by_kind[kind].append((day.toordinal(), workshop_id, user_ids))
    return {kind: _columns(by_kind.get(kind, [])) for kind in KINDS}


def _columns(rows: list[tuple[int, int, list[int]]]) -> ActivityIds:
    if not rows:
        return ActivityIds.empty()
    lengths = np.fromiter((len(r[2]) for r in rows), dtype=np.int64, count=len(rows))
    total = int(lengths.sum())
    return ActivityIds(
        days=np.repeat(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)), lengths),
        workshops=np.repeat(
            np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)), lengths
        ),
        users=np.fromiter(chain.from_iterable(r[2] for r in rows), dtype=np.int64, count=total),
    )


class DistinctCache:
    def __init__(self) -> None:
        self._entries: dict[int, tuple[int, dict[str, ActivityIds]]] = {}
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def ids(self, engine: AsyncEngine, importer_id: int) -> dict[str, ActivityIds]:
        """The importer's ids per kind, as of its latest processing run."""
        version = await _version(engine, importer_id)
        entry = self._entries.get(importer_id)
        if entry is not None and entry[0] == version:
            return entry[1]
        async with self._locks[importer_id]:
            entry = self._entries.get(importer_id)
            if entry is None or entry[0] != version:
                entry = (version, await _load(engine, importer_id))
                self._entries[importer_id] = entry
        return entry[1]
