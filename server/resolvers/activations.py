"""Data access for the Activations and Performance dashboard: one SQL statement
per metric family for many scopes at once (a scope = a set of workshops).

Scopes travel as two parallel arrays (scope index, workshop id), so one statement
answers 3 or 300 workshop dashboards alike, and the current and previous period
come from the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.metrics.daytable import DayTable
from server.metrics.periods import Period
from server.processing.workshops import COLUMNS as DAY_COLUMNS

DayRows = DayTable
"""Per day, the summed rollup columns of a scope (both periods; missing day = 0)."""


def _scope_arrays(scopes: Sequence[Sequence[int]]) -> dict[str, list[int]]:
    pairs = [(i, w) for i, scope in enumerate(scopes) for w in scope]
    return {"idx": [i for i, _ in pairs], "wid": [w for _, w in pairs]}


def _windows(current: Period, previous: Period) -> dict[str, date]:
    return {"cs": current.start, "ce": current.end, "ps": previous.start, "pe": previous.end}


_SCOPES = "unnest(CAST(:idx AS int[]), CAST(:wid AS int[])) AS s(idx, wid)"
_IN_WINDOWS = "(d.day BETWEEN :cs AND :ce OR d.day BETWEEN :ps AND :pe)"


async def day_rows(
    engine: AsyncEngine,
    importer_id: int,
    scopes: Sequence[Sequence[int]],
    current: Period,
    previous: Period,
    *,
    with_days: bool,
) -> list[DayRows]:
    """The summed workshop_day columns per scope over both periods: per day when
    series are drawn, else as two whole-period rows (far fewer rows to read)."""
    sums = ", ".join(f"sum(d.{c})" for c in DAY_COLUMNS)
    grain = "d.day" if with_days else "d.day >= :cs"
    sql = f"""
        SELECT s.idx, {grain}, {sums}
        FROM {_SCOPES} JOIN workshop_day d ON d.workshop_id = s.wid
        WHERE d.importer_id = :imp AND {_IN_WINDOWS}
        GROUP BY 1, 2"""
    params = {"imp": importer_id, **_scope_arrays(scopes), **_windows(current, previous)}
    async with engine.connect() as conn:
        rows = (await conn.execute(text(sql), params)).all()
    if with_days:
        tables = [DayTable(DAY_COLUMNS) for _ in scopes]
        for row in rows:
            tables[row[0]].rows[row[1]] = row[2:]
        return tables
    zeros = (0,) * len(DAY_COLUMNS)
    sums_of: list[dict[Period, Sequence[float]]] = [
        {current: zeros, previous: zeros} for _ in scopes
    ]
    for row in rows:
        sums_of[row[0]][current if row[1] else previous] = row[2:]
    return [DayTable.of_totals(DAY_COLUMNS, totals) for totals in sums_of]


async def newest_data_days(
    engine: AsyncEngine, importer_id: int, workshop_ids: Sequence[int]
) -> dict[int, date | None]:
    """Per workshop, the newest day its workshop tool system delivered (data age)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT workshop_id, newest_data_day FROM workshop_stats"
                " WHERE importer_id = :imp AND workshop_id = ANY(CAST(:ids AS int[]))"
            ),
            {"imp": importer_id, "ids": list(workshop_ids)},
        )
        return {r[0]: r[1] for r in rows}


@dataclass(frozen=True)
class ActivityRow:
    active_days: int
    actions: int
    last_active_day: date | None


async def workshop_activity(
    engine: AsyncEngine, importer_id: int, workshop_ids: Sequence[int], period: Period
) -> dict[int, ActivityRow]:
    """Per workshop: days with any staff activity, actions, last active day in the period."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                """SELECT workshop_id, count(*) FILTER (WHERE staff_rows > 0),
                          coalesce(sum(staff_actions), 0), max(day) FILTER (WHERE staff_rows > 0)
                   FROM workshop_day
                   WHERE importer_id = :imp AND workshop_id = ANY(CAST(:ids AS int[]))
                     AND day BETWEEN :start AND :end
                   GROUP BY workshop_id"""
            ),
            {
                "imp": importer_id,
                "ids": list(workshop_ids),
                "start": period.start,
                "end": period.end,
            },
        )
        return {r[0]: ActivityRow(int(r[1]), int(r[2]), r[3]) for r in rows}
