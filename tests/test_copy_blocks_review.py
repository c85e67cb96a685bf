"""Refreshes of the copies the other tests do not reach: a workshop first seen
in a run, a day before every held day, and a day whose every row a run
deleted (its block gone), each refreshed copy equal to a fresh load and to
the copy read from the rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.oracle import fixtures as f
from tests.test_copy_blocks import _seed_workshops, _without_blocks, _workshop_kinds


async def _facts_on(engine: AsyncEngine, imp: int, workshop: int, day: date, n: int) -> None:
    async with engine.begin() as c:
        at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        await f.insert_lead(c, imp, at, workshop_id=workshop)
        await f.insert_staff_activity(c, workshop, f"rv-staff-{n}", day, 2)
        await f.insert_app_activity(c, workshop, f"rv-app-{n}", day)


async def _drop_facts_on(engine: AsyncEngine, imp: int, day: date) -> None:
    async with engine.begin() as c:
        for table in ("staff_activity", "app_activity"):
            await c.execute(
                text(
                    f"DELETE FROM {table} WHERE day = :d AND workshop_id IN"
                    " (SELECT id FROM workshops WHERE importer_id = :i)"
                ),
                {"d": day, "i": imp},
            )
        await c.execute(
            text(
                "DELETE FROM leads WHERE importer_id = :i"
                " AND created_at >= :lo AND created_at < :hi"
            ),
            {
                "i": imp,
                "lo": datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=3),
                "hi": datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=22),
            },
        )


async def _check(
    engine: AsyncEngine, imp: int, held: Any, start: date, end: date, *, moved: bool
) -> Any:
    """Process ``start``..``end``, refresh ``held``: equal to a fresh load and
    to the rows; ``moved``: the days were moved in place (not rebuilt)."""
    await run_processing(engine, today=TODAY, start=start, end=end)
    refreshed = await _workshop_kinds(engine, imp, held)
    assert (refreshed["copy"].workshops is held["copy"].workshops) == moved
    fresh = await _workshop_kinds(engine, imp)
    from_rows = await _without_blocks(engine, imp, lambda: _workshop_kinds(engine, imp))
    assert refreshed["days"] == fresh["days"] == from_rows["days"], (start, end)
    assert refreshed["ids"] == fresh["ids"] == from_rows["ids"], (start, end)
    return refreshed


async def test_refreshes_with_new_workshops_earlier_days_and_vanished_days(
    engine: AsyncEngine,
) -> None:
    made = await _seed_workshops(engine)
    imp = made.importer_id
    held = await _workshop_kinds(engine, imp)
    # a workshop the copy has no row of
    async with engine.begin() as c:
        new = await f.insert_workshop(c, imp, ref="w9")
    day = made.last_day - timedelta(days=2)
    await _facts_on(engine, imp, new, day, 1)
    held = await _check(engine, imp, held, day, day, moved=False)
    # a day before every held day (in a month without other data)
    early = made.first_day - timedelta(days=40)
    await _facts_on(engine, imp, made.workshops["w2"], early, 2)
    held = await _check(engine, imp, held, early, early, moved=False)
    # that day's facts deleted: its blocks are gone, its month empty
    await _drop_facts_on(engine, imp, early)
    held = await _check(engine, imp, held, early, early, moved=True)
    assert not [d for _, d, _ in held["ids"]["staff"] if d == early.toordinal()]
    # a day inside the held range loses every row
    inside = made.last_day - timedelta(days=10)
    await _drop_facts_on(engine, imp, inside)
    around = (inside - timedelta(days=1), inside + timedelta(days=1))
    held = await _check(engine, imp, held, *around, moved=True)
    assert not [d for _, d, _ in held["ids"]["app"] if d == inside.toordinal()]
