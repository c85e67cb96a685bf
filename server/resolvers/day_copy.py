"""Reading an importer's ``workshop_day`` rows into its in-process columnar copy
(``server/metrics/columnar.py``), and answering dashboards' day rows from it.

The load reads one snapshot (a processing run committing meanwhile is not half
seen), a few workshops per statement with each workshop's days folded into
arrays by PostgreSQL (few Python objects), and fills the columns in a thread,
so the event loop never waits more than a few milliseconds at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.metrics.columnar import ColumnarDays, DayColumns, DayColumnsBuilder
from server.metrics.daytable import DayTable
from server.metrics.periods import Period
from server.models.copy_blocks import WORKSHOP_DAY
from server.models.rollups import WorkshopDay
from server.processing.workshops import COLUMNS as DAY_COLUMNS
from server.resolvers.activations import ActivityRow
from server.resolvers.blocks import (
    DAYS_PER_STATEMENT,
    Block,
    columns_of,
    complete_version,
    fetch,
    held,
    refreshed,
    rows_in,
    snapshot,
)
from server.resolvers.versioned_copies import VersionedCopies

CHUNK_WORKSHOPS = 20
"""Workshops per statement of a load (at two years ~200k values each)."""

FLOATING = frozenset(
    name
    for name, field in WorkshopDay.model_fields.items()
    if name in DAY_COLUMNS and field.annotation is float
)
"""The columns the database stores as floats (answered as floats)."""

ACTIVE_COLUMN, ACTIONS_COLUMN = "staff_rows", "staff_actions"
"""A workshop is active on a day with staff activity rows (workshopActivity)."""

DayCopy = VersionedCopies[DayColumns]

COPIED = ("workshop_id", *DAY_COLUMNS)


def day_copy(*, max_bytes: int, enabled: bool = True, **shared: Any) -> DayCopy:
    """The application's columnar copies of ``workshop_day``."""
    return VersionedCopies("day-rollup copy", load, max_bytes=max_bytes, enabled=enabled, **shared)


_FOLDED = ", ".join(
    ["workshop_id", "array_agg(day - CAST(:first AS date) ORDER BY day)"]
    + [f"array_agg({c} ORDER BY day)" for c in DAY_COLUMNS]
)


def _add(builder: DayColumnsBuilder, rows: Sequence[Any]) -> None:
    """One chunk's rows (workshop, day offsets, then one array per column) into the builder."""
    lengths = [len(r[1]) for r in rows]
    workshops = np.repeat(np.fromiter((r[0] for r in rows), np.int64, len(rows)), lengths)
    offsets = np.concatenate([np.asarray(r[1], np.int64) for r in rows])
    values = {
        column: np.concatenate(
            [np.asarray(r[2 + c], np.float64 if column in FLOATING else np.int64) for r in rows]
        )
        for c, column in enumerate(DAY_COLUMNS)
    }
    builder.add(workshops, offsets, values)


async def load(
    engine: AsyncEngine,
    importer_id: int,
    budget: int,
    previous: tuple[int, DayColumns] | None = None,
) -> tuple[int, DayColumns | None]:
    """The importer's copy and the data version it is as of (None if it would
    take more than ``budget`` bytes): from the copy blocks when they are
    complete (only the days written after ``previous``, a copy already held),
    else from the rollup rows."""
    async with snapshot(engine) as conn:
        as_of, complete = await complete_version(conn, importer_id)
        if not complete:
            return as_of, await _from_rows(conn, importer_id, budget)
        days = await held(conn, importer_id, WORKSHOP_DAY.kind)
        since = previous[0] if previous is not None else None
        wanted = [d for d, v in days.items() if since is None or v > since]
        blocks = await fetch(conn, importer_id, WORKSHOP_DAY, wanted)
    old = previous[1] if previous is not None else None
    copy = await asyncio.to_thread(from_blocks, blocks, days, old, budget)
    return as_of, copy


def from_blocks(
    blocks: Sequence[Block], days: Mapping[int, int], old: DayColumns | None, budget: int
) -> DayColumns | None:
    """The copy from the day blocks ``blocks`` and, for every other day in
    ``days`` (ordinal -> version), the values ``old`` holds."""
    if old is not None:
        held_ids = old.workshops
        moved = refreshed(old, blocks, days, lambda b: rows_in(held_ids, b.records["workshop_id"]))
        if moved is not None:
            return moved if moved.nbytes <= budget else None
    fetched = {b.day for b in blocks}
    parts = [b.records["workshop_id"].astype(np.int64) for b in blocks]
    if old is not None:
        parts.append(old.workshops)
    ids = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
    first = min(days) if days else 0
    span = max(days) - first + 1 if days else 0
    if DayColumnsBuilder.estimate(len(DAY_COLUMNS), len(ids), span) > budget:
        return None
    builder = DayColumnsBuilder(DAY_COLUMNS, FLOATING, ids, first, span, counted=(ACTIVE_COLUMN,))
    if old is not None:
        keep = np.fromiter((d for d in days if d not in fetched), np.int64)
        builder.add_copy(old, np.searchsorted(ids, old.workshops), keep)
    for start in range(0, len(blocks), DAYS_PER_STATEMENT):
        days_of, fields = columns_of(blocks[start : start + DAYS_PER_STATEMENT], COPIED)
        builder.add(fields["workshop_id"].astype(np.int64), days_of - first, fields)
    copy = builder.build()
    return copy if copy.nbytes <= budget else None


async def _from_rows(conn: AsyncConnection, importer_id: int, budget: int) -> DayColumns | None:
    """The copy read from the ``workshop_day`` rows (a database whose copy
    blocks are not complete)."""
    span = (
        await conn.execute(
            text(
                "SELECT min(day), max(day), array_agg(DISTINCT workshop_id)"
                " FROM workshop_day WHERE importer_id = :i"
            ),
            {"i": importer_id},
        )
    ).one()
    first, last, ids = span[0], span[1], sorted(span[2] or [])
    days = last.toordinal() - first.toordinal() + 1 if first is not None else 0
    if DayColumnsBuilder.estimate(len(DAY_COLUMNS), len(ids), days) > budget:
        return None
    builder = DayColumnsBuilder(
        DAY_COLUMNS,
        FLOATING,
        ids,
        first.toordinal() if first else 0,
        days,
        counted=(ACTIVE_COLUMN,),
    )
    for start in range(0, len(ids), CHUNK_WORKSHOPS):
        rows = (
            await conn.execute(
                text(
                    f"SELECT {_FOLDED} FROM workshop_day WHERE importer_id = :i"
                    " AND workshop_id = ANY(CAST(:w AS int[])) GROUP BY workshop_id"
                ),
                {"i": importer_id, "w": ids[start : start + CHUNK_WORKSHOPS], "first": first},
            )
        ).all()
        await asyncio.to_thread(_add, builder, rows)
    copy = await asyncio.to_thread(builder.build)
    return copy if copy.nbytes <= budget else None


def day_rows(
    copy: DayColumns,
    scopes: Sequence[Sequence[int]],
    current: Period,
    previous: Period,
    *,
    with_days: bool,
) -> list[DayTable]:
    """What ``activations.day_rows`` answers, from the copy: per scope the
    summed columns per day of both periods, or the two periods' sums."""
    if not with_days:
        periods = (current, previous)
        return [
            DayTable.of_totals(copy.columns, dict(zip(periods, sums, strict=True)))
            for sums in copy.totals(scopes, periods)
        ]
    # only the held days: the rest are zeros anyway (a long custom period costs nothing)
    lo = max(min(current.start, previous.start).toordinal(), copy.first_day)
    hi = min(max(current.end, previous.end).toordinal(), copy.first_day + copy.days - 1)
    hi = max(hi, lo - 1)
    first, last = date.fromordinal(lo), date.fromordinal(hi) if hi >= lo else None
    gap = slice(
        min(max(previous.end.toordinal() + 1 - lo, 0), hi - lo + 1),
        min(max(current.start.toordinal() - lo, 0), hi - lo + 1),
    )
    tables: list[DayTable] = []
    for scope in scopes:
        if last is None:
            values = np.zeros((len(copy.columns), 0), dtype=np.float64)
        else:
            values = copy.daily(scope, first, last)
            # days between the two periods (calendar presets) are no period's
            values[:, gap] = 0
        tables.append(ColumnarDays(copy.columns, first, values))
    return tables


def workshop_activity(
    copy: DayColumns, workshop_ids: Sequence[int], period: Period
) -> dict[int, ActivityRow]:
    """What ``activations.workshop_activity`` answers, from the copy."""
    found = copy.activity(workshop_ids, period, ACTIVE_COLUMN, ACTIONS_COLUMN)
    return {w: ActivityRow(*values) for w, values in found.items()}
