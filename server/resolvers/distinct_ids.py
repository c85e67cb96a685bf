"""Reading the per-(workshop, day) user ids of ``workshop_day_users`` into the
columnar form distinct counts work on: all of an importer's (the cache, read in
chunks of workshops with the conversion in a thread, so the event loop never
waits long), or only a request's workshops and days (the fallback while the
cache loads)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.metrics.distinct import ActivityIds, Ids
from server.metrics.monthly_ids import MonthlyIds, month_bounds, month_of
from server.models.copy_blocks import APP_USERS, STAFF_USERS
from server.resolvers.blocks import Block, complete_version, fetch, held, snapshot

KINDS = ("app", "staff")
USER_LAYOUTS = (APP_USERS, STAFF_USERS)

CHUNK_WORKSHOPS = 50
"""Workshops per statement of a full load (at 2 years a few 10k rows each)."""

DistinctIds = ActivityIds | MonthlyIds
"""What distinct counts read (``window``): read from rows, or per month from blocks."""

IdsByKind = dict[str, DistinctIds]

_Columns = tuple[Ids, Ids, Ids]
"""(days, workshops, users): 32-bit, so a large importer's load peaks lower."""


def _columns(rows: Sequence[Any]) -> dict[str, _Columns]:
    """(days, workshops, users) per kind from (kind, day, workshop_id, user_ids) rows."""
    by_kind: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for row in rows:
        by_kind[row[0]].append(row)
    result = {}
    for kind, part in by_kind.items():
        lengths = np.fromiter((len(r[3]) for r in part), dtype=np.int64, count=len(part))
        days = np.fromiter((r[1].toordinal() for r in part), dtype=np.int32, count=len(part))
        workshops = np.fromiter((r[2] for r in part), dtype=np.int32, count=len(part))
        users = np.fromiter(
            chain.from_iterable(r[3] for r in part), dtype=np.int32, count=int(lengths.sum())
        )
        result[kind] = (np.repeat(days, lengths), np.repeat(workshops, lengths), users)
    return result


def _join(parts: list[dict[str, _Columns]]) -> IdsByKind:
    joined: IdsByKind = {}
    for kind in KINDS:
        arrays = [p[kind] for p in parts]
        if not arrays:
            joined[kind] = ActivityIds.empty()
            continue
        days, workshops, users = (np.concatenate([a[i] for a in arrays]) for i in range(3))
        joined[kind] = ActivityIds.of(days, workshops, users)
    return joined


_SELECT = "SELECT kind, day, workshop_id, user_ids FROM workshop_day_users WHERE importer_id = :i"


async def version(conn: AsyncConnection, importer_id: int) -> int:
    """The importer's data version (bumped by every processing run)."""
    value = (
        await conn.execute(
            text("SELECT data_version FROM processing_state WHERE importer_id = :i"),
            {"i": importer_id},
        )
    ).scalar_one_or_none()
    return int(value or 0)


def _month(blocks: Sequence[Block]) -> ActivityIds:
    """One month's ids from its day blocks (in day order)."""
    blocks = sorted(blocks, key=lambda b: b.day)
    lengths = [len(b.records) for b in blocks]
    days = np.repeat(np.fromiter((b.day for b in blocks), np.int32, len(blocks)), lengths)
    if not blocks:
        return ActivityIds.empty()
    workshops = np.concatenate([b.records["workshop_id"] for b in blocks]).astype(np.int32)
    users = np.concatenate([b.records["user_id"] for b in blocks]).astype(np.int32)
    return ActivityIds.of_days(days, workshops, users, whole=False)


def _of_blocks(
    blocks: Sequence[Block], held: Mapping[int, int], old: DistinctIds | None
) -> MonthlyIds:
    """The ids of ``blocks`` per month, with, when ``old`` is given, its ids of
    every other day ``held`` names (a refresh: only the months with a fetched
    or vanished day are rebuilt)."""
    fetched: dict[int, list[Block]] = {}
    for block in blocks:
        fetched.setdefault(month_of(block.day), []).append(block)
    if not isinstance(old, MonthlyIds):
        return MonthlyIds.of_months({m: _month(found) for m, found in fetched.items()})
    parts = old.by_month()
    fetched_days = {b.day for b in blocks}
    for month, part in old.by_month().items():
        first, last = month_bounds(month)
        gone = {d for d in fetched_days if first <= d <= last}
        missing = [d for d in range(first, last + 1) if d not in held]
        if missing:  # a day whose block is no more: its ids are gone
            held_days = np.isin(np.asarray(missing, dtype=np.int32), part.days)
            gone |= {d for d, was in zip(missing, held_days.tolist(), strict=True) if was}
        if gone or month in fetched:
            added = _month(fetched.pop(month, []))
            parts[month] = part.replaced(np.array(sorted(gone), dtype=np.int32), added)
    for month, found in fetched.items():  # months the old ids had none of
        parts[month] = _month(found)
    return MonthlyIds.of_months(parts)


async def load_all(
    engine: AsyncEngine, importer_id: int, previous: tuple[int, IdsByKind] | None = None
) -> tuple[int, IdsByKind]:
    """Every id of the importer and the data version they are as of, read from
    one snapshot (a processing run committing meanwhile is not half seen): from
    the copy blocks when they are complete (only the days written after
    ``previous``, ids already held), else from the rows."""
    async with snapshot(engine) as conn:
        as_of, complete = await complete_version(conn, importer_id)
        if complete:
            found: IdsByKind = {}
            for layout in USER_LAYOUTS:
                assert layout.users is not None
                days = await held(conn, importer_id, layout.kind)
                old = previous[1][layout.users] if previous is not None else None
                # ids read from rows cannot be refreshed by the month: all blocks
                since = previous[0] if isinstance(old, MonthlyIds) and previous else None
                wanted = [d for d, v in days.items() if since is None or v > since]
                blocks = await fetch(conn, importer_id, layout, wanted)
                found[layout.users] = await asyncio.to_thread(_of_blocks, blocks, days, old)
                del blocks
            return as_of, found
        workshops = (
            await conn.execute(
                text(
                    "SELECT DISTINCT workshop_id FROM workshop_day_users"
                    " WHERE importer_id = :i ORDER BY 1"
                ),
                {"i": importer_id},
            )
        ).scalars()
        ids = list(workshops)
        parts = []
        for start in range(0, len(ids), CHUNK_WORKSHOPS):
            rows = (
                await conn.execute(
                    text(_SELECT + " AND workshop_id = ANY(CAST(:w AS int[]))"),
                    {"i": importer_id, "w": ids[start : start + CHUNK_WORKSHOPS]},
                )
            ).all()
            parts.append(await asyncio.to_thread(_columns, rows))
    return as_of, await asyncio.to_thread(_join, parts)


async def load_window(
    engine: AsyncEngine, importer_id: int, workshop_ids: Sequence[int], first: date, last: date
) -> IdsByKind:
    """Only the ids of these workshops from ``first`` to ``last`` (one statement)."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    _SELECT + " AND workshop_id = ANY(CAST(:w AS int[]))"
                    " AND day BETWEEN :first AND :last"
                ),
                {"i": importer_id, "w": list(workshop_ids), "first": first, "last": last},
            )
        ).all()
    return _join([_columns(rows)])
