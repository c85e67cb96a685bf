"""Reading an importer's ``workshop_day`` rows into its in-process columnar copy
(``server/metrics/columnar.py``), and answering dashboards' day rows from it.

The load reads one snapshot (a processing run committing meanwhile is not half
seen), a few workshops per statement with each workshop's days folded into
arrays by PostgreSQL (few Python objects), and fills the columns in a thread,
so the event loop never waits more than a few milliseconds at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.metrics.columnar import ColumnarDays, DayColumns, DayColumnsBuilder
from server.metrics.daytable import DayTable
from server.metrics.periods import Period
from server.models.rollups import WorkshopDay
from server.processing.workshops import COLUMNS as DAY_COLUMNS
from server.resolvers.activations import ActivityRow
from server.resolvers.distinct_ids import version
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


def day_copy(*, max_bytes: int, enabled: bool = True) -> DayCopy:
    """The application's columnar copies of ``workshop_day``."""
    return VersionedCopies("day-rollup copy", load, max_bytes=max_bytes, enabled=enabled)


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


async def load(engine: AsyncEngine, importer_id: int, budget: int) -> tuple[int, DayColumns | None]:
    """The importer's copy and the data version it is as of (None if it would
    take more than ``budget`` bytes)."""
    async with engine.connect() as plain:
        conn = await plain.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            as_of = await version(conn, importer_id)
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
            if first is None:
                first = last = None
                days = 0
            else:
                days = last.toordinal() - first.toordinal() + 1
            needed = DayColumnsBuilder.estimate(len(DAY_COLUMNS), len(ids), days)
            if needed > budget:
                return as_of, None
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
                        {
                            "i": importer_id,
                            "w": ids[start : start + CHUNK_WORKSHOPS],
                            "first": first,
                        },
                    )
                ).all()
                await asyncio.to_thread(_add, builder, rows)
    copy = await asyncio.to_thread(builder.build)
    return as_of, copy if copy.nbytes <= budget else None


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
