"""Copy blocks (``copy_blocks``): processing writes the rollups as raw bytes per
day, and a copy loaded from them — fresh, or refreshed from an older copy with
only the days a run rewrote — holds exactly what the copy read from the rollup
rows holds, for every kind (day rollups, partner offers and cohorts, the
distinct-count ids); a run rewrites the blocks of the days it rebuilt and no
others; a database whose blocks are not complete is read from its rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.metrics.columnar import DayColumns
from server.metrics.distinct import ActivityIds
from server.metrics.monthly_ids import MonthlyIds
from server.processing.job import run_processing
from server.resolvers import day_copy, distinct_ids, partner_copy
from server.resolvers.partner_copy import PartnerDays
from tests.conftest import TODAY
from tests.generated import generate
from tests.oracle import fixtures as f
from tests.test_partner_oracle_property import build_random

BUDGET = 1 << 30

Cells = dict[str, dict[tuple[Any, int], float]]


def _cells(copy: DayColumns | None, names: Callable[[int], Any]) -> Cells:
    """Every non-zero value per column, keyed by (row name, day ordinal)."""
    assert copy is not None
    found: Cells = {}
    for column in copy.columns:
        values = copy.raw_days(column)
        rows, days = np.nonzero(values)
        found[column] = {
            (names(int(r)), copy.first_day + int(d)): float(values[r, d])
            for r, d in zip(rows.tolist(), days.tolist(), strict=True)
        }
    return found


def _day_cells(copy: DayColumns | None) -> Cells:
    assert copy is not None
    return _cells(copy, lambda r: int(copy.workshops[r]))


def _partner_cells(copy: PartnerDays | None) -> Cells:
    assert copy is not None
    return _cells(copy.days, lambda r: copy.keys[r])


def _triples(ids: ActivityIds) -> list[tuple[int, int, int]]:
    workshops = np.repeat(ids.workshop_ids, np.diff(ids.starts))
    return sorted(zip(workshops.tolist(), ids.days.tolist(), ids.users.tolist(), strict=True))


def _distinct_form(found: dict[str, Any]) -> dict[str, Any]:
    """Per kind: every (workshop, day, user) (ids per month: over the months)."""
    form = {}
    for kind, ids in found.items():
        parts = ids.parts if isinstance(ids, MonthlyIds) else (ids,)
        form[kind] = sorted(t for p in parts for t in _triples(p))
    return form


async def _without_blocks(engine: AsyncEngine, imp: int, load: Callable[[], Awaitable[Any]]) -> Any:
    """``load()`` while the blocks are marked incomplete: the rows path."""
    async with engine.begin() as c:
        kept = (
            await c.execute(
                text("SELECT blocks_version FROM processing_state WHERE importer_id = :i"),
                {"i": imp},
            )
        ).scalar_one()
        await c.execute(
            text("UPDATE processing_state SET blocks_version = NULL WHERE importer_id = :i"),
            {"i": imp},
        )
    try:
        return await load()
    finally:
        async with engine.begin() as c:
            await c.execute(
                text("UPDATE processing_state SET blocks_version = :v WHERE importer_id = :i"),
                {"i": imp, "v": kept},
            )


async def _blocks(engine: AsyncEngine, imp: int) -> dict[tuple[str, date], int]:
    async with engine.connect() as c:
        rows = await c.execute(
            text("SELECT kind, day, version FROM copy_blocks WHERE importer_id = :i"), {"i": imp}
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}


async def _workshop_kinds(engine: AsyncEngine, imp: int, previous: Any = None) -> dict[str, Any]:
    """(version, comparable form) of the day copy and the distinct ids; with
    ``previous`` (an earlier answer of this function), refreshed from it."""
    held_days = (previous["version"], previous["copy"]) if previous else None
    held_ids = (previous["version"], previous["raw_ids"]) if previous else None
    as_of, days = await day_copy.load(engine, imp, BUDGET, held_days)
    ids_as_of, ids = await distinct_ids.load_all(engine, imp, held_ids)
    assert ids_as_of == as_of
    return {
        "version": as_of,
        "days": _day_cells(days),
        "ids": _distinct_form(ids),
        "copy": days,
        "raw_ids": ids,
    }


async def test_workshop_copies_from_blocks_equal_those_from_rows(engine):
    made = await _seed_workshops(engine)
    imp = made.importer_id
    assert {kind for kind, _ in await _blocks(engine, imp)} == {
        "workshop_day",
        "users:app",
        "users:staff",
    }
    from_blocks = await _workshop_kinds(engine, imp)
    from_rows = await _without_blocks(engine, imp, lambda: _workshop_kinds(engine, imp))
    assert from_blocks["days"] == from_rows["days"]
    assert sum(len(v) for v in from_blocks["days"].values()) > 300
    assert from_blocks["ids"] == from_rows["ids"]
    assert len(from_blocks["ids"]["staff"]) > 100


async def _seed_workshops(engine: AsyncEngine) -> Any:
    async with engine.begin() as conn:
        made = await generate(conn, seed=11, last_day=TODAY - timedelta(days=1))
    await run_processing(engine, today=TODAY)
    return made


async def _add_day(engine: AsyncEngine, made: Any, day: date, n: int) -> None:
    """New facts on ``day`` for two workshops (a lead, staff and app activity)."""
    from datetime import UTC, datetime

    async with engine.begin() as c:
        for ref in ("w1", "w3"):
            w = made.workshops[ref]
            at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
            await f.insert_lead(c, made.importer_id, at, workshop_id=w)
            await f.insert_staff_activity(c, w, f"new-staff-{n}", day, 3)
            await f.insert_app_activity(c, w, f"new-app-{n}", day)


async def test_a_refreshed_copy_equals_a_fresh_load_after_every_kind_of_run(engine):
    made = await _seed_workshops(engine)
    imp = made.importer_id
    held = await _workshop_kinds(engine, imp)
    last = TODAY - timedelta(days=1)
    boundary = date(last.year, last.month, 1)  # the first of a month, and the day before
    runs: list[tuple[date | None, date | None]] = [
        (last - timedelta(days=3), last - timedelta(days=3)),  # one day
        (boundary - timedelta(days=1), boundary),  # across a month boundary
        (None, None),  # everything
    ]
    for n, (start, end) in enumerate(runs):
        if start is not None:
            await _add_day(engine, made, start, n)
            if end != start:
                assert end is not None
                await _add_day(engine, made, end, n + 10)
            await run_processing(engine, today=TODAY, start=start, end=end)
        else:
            async with engine.begin() as c:
                await c.execute(
                    text("UPDATE processing_state SET rebuild_all = true WHERE importer_id = :i"),
                    {"i": imp},
                )
            await _add_day(engine, made, last, n)
            await run_processing(engine, today=TODAY)
        refreshed = await _workshop_kinds(engine, imp, held)
        fresh = await _workshop_kinds(engine, imp)
        from_rows = await _without_blocks(engine, imp, lambda: _workshop_kinds(engine, imp))
        assert refreshed["version"] == fresh["version"] == held["version"] + 1
        assert refreshed["days"] == fresh["days"] == from_rows["days"], (start, end)
        assert refreshed["days"] != held["days"]
        # a few days: moved in place (the same rows), not rebuilt
        assert (refreshed["copy"].workshops is held["copy"].workshops) == (start is not None)
        assert refreshed["ids"] == fresh["ids"] == from_rows["ids"]
        assert refreshed["ids"] != held["ids"]
        held = refreshed


async def test_a_one_day_run_rewrites_only_that_days_blocks(engine):
    made = await _seed_workshops(engine)
    imp = made.importer_id
    before = await _blocks(engine, imp)
    day = TODAY - timedelta(days=5)
    await _add_day(engine, made, day, 0)
    await run_processing(engine, today=TODAY, start=day, end=day)
    after = await _blocks(engine, imp)
    changed = {key for key in after if before.get(key) != after[key]}
    assert changed == {(kind, day) for kind in ("workshop_day", "users:app", "users:staff")}
    assert set(before) <= set(after)


async def test_a_database_processed_before_the_blocks_gets_them_all_on_its_next_run(engine):
    made = await _seed_workshops(engine)
    imp = made.importer_id
    async with engine.begin() as c:  # as an older version left it
        await c.execute(text("DELETE FROM copy_blocks"))
        await c.execute(text("UPDATE processing_state SET blocks_version = NULL"))
    rows_only = await _workshop_kinds(engine, imp)  # no blocks: read from the rows
    assert rows_only["days"]["leads_created"]
    day = TODAY - timedelta(days=2)
    await _add_day(engine, made, day, 0)
    await run_processing(engine, today=TODAY, start=day, end=day)  # one day, yet every block
    days = {d for kind, d in await _blocks(engine, imp) if kind == "workshop_day"}
    assert len(days) > 50
    fresh = await _workshop_kinds(engine, imp)
    from_rows = await _without_blocks(engine, imp, lambda: _workshop_kinds(engine, imp))
    assert fresh["days"] == from_rows["days"] and fresh["ids"] == from_rows["ids"]


async def _partner_kinds(engine: AsyncEngine, imp: int, previous: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, make in (("offers", partner_copy.offer_copy), ("cohort", partner_copy.cohort_copy)):
        loader = make(max_bytes=BUDGET).loader
        held = previous[name] if previous else None
        as_of, copy = await loader(engine, imp, BUDGET, held)
        found[name] = (as_of, copy)
        found[name + "_cells"] = _partner_cells(copy)
    return found


async def test_partner_copies_from_blocks_equal_those_from_rows_fresh_and_refreshed(engine):
    await build_random(engine, seed=7)
    async with engine.connect() as c:
        imp = int((await c.execute(text("SELECT id FROM importers"))).scalar_one())
    held = await _partner_kinds(engine, imp)
    from_rows = await _without_blocks(engine, imp, lambda: _partner_kinds(engine, imp))
    for name in ("offers", "cohort"):
        assert held[name + "_cells"] == from_rows[name + "_cells"], name
        assert len(held[name + "_cells"]["accepted" if name == "offers" else "cohort"]) > 20
    # a later as-of: the cohort days whose events became known are rebuilt
    await run_processing(engine, today=TODAY + timedelta(days=3))
    async with engine.begin() as c:
        await c.execute(
            text("UPDATE processing_state SET rebuild_all = true WHERE importer_id = :i"),
            {"i": imp},
        )
    for today in (TODAY + timedelta(days=9), TODAY + timedelta(days=40)):
        await run_processing(engine, today=today)
        refreshed = await _partner_kinds(
            engine, imp, {name: held[name] for name in ("offers", "cohort")}
        )
        fresh = await _partner_kinds(engine, imp)
        from_rows = await _without_blocks(engine, imp, lambda: _partner_kinds(engine, imp))
        for name in ("offers", "cohort"):
            cells = name + "_cells"
            assert refreshed[cells] == fresh[cells] == from_rows[cells], (today, name)
        held = refreshed


async def test_distinct_counts_from_blocks_equal_those_from_rows(engine):
    """Ids per month (from blocks) count what ids read from rows count, for
    scopes from one workshop to all, periods within and across months."""
    from server.metrics.distinct import count_distinct
    from server.metrics.periods import Period

    made = await _seed_workshops(engine)
    imp = made.importer_id
    _, by_month = await distinct_ids.load_all(engine, imp)
    _, by_rows = await _without_blocks(engine, imp, lambda: distinct_ids.load_all(engine, imp))
    assert isinstance(by_month["staff"], MonthlyIds)
    assert isinstance(by_rows["staff"], ActivityIds)
    ids = list(made.workshops.values())
    scopes = [ids, ids[:1], ids[1:3], ids[::2], [*ids, 999_999], []]
    last = made.last_day
    compared = 0
    for length in (1, 7, 30, 45, 69):
        for shift in (0, 10, 31):
            end = last - timedelta(days=shift)
            current = Period(end - timedelta(days=length - 1), end)
            previous = Period(current.start - timedelta(days=length), current.start - timedelta(1))
            for kind in ("app", "staff"):
                a = count_distinct(by_month[kind], scopes, current, previous, with_buckets=True)
                b = count_distinct(by_rows[kind], scopes, current, previous, with_buckets=True)
                assert a == b, (kind, current)
                compared += sum(c.totals[False] for c in a)
    assert compared > 100
