"""The rebuild statements write exactly the rows the statements they replaced wrote
(tests/legacy_processing), over generated data with the traps: departures late in
the UTC evening (the next local day), DST changes inside the processed days
(Europe/Copenhagen, Pacific/Auckland, America/Los_Angeles), activations at 167,
168 and 169 hours after a departure and before it, deactivations before and after,
include-only, exclude-only and model/year rules, leads with events after as-of
and several importers side by side.

The legacy statements start from empty rollup tables; the product's start from
the legacy rows with the rebuilt days spoiled (values changed, rows missing,
rows that must go), so a row kept, rewritten, added or removed wrongly shows
up, as does a day a path forgets to write. Floats compare exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.processing.job import run_processing
from server.processing.workshops import COLUMNS as DAY_COLUMNS
from tests.conftest import TODAY
from tests.generated import generate
from tests.legacy_processing.partners import rebuild_partner_days
from tests.legacy_processing.workshops import rebuild_workshop_days
from tests.test_partner_oracle_property import build_random
from tests.test_processing_incremental import ROLLUPS, snapshot

AS_OF = TODAY - timedelta(days=1)
DST_END_EUROPE = date(2026, 10, 25)
DST_END_AMERICA = date(2026, 11, 1)
DST_START_AUCKLAND = date(2026, 9, 27)

_COUNTS = ", ".join(DAY_COLUMNS)

_IMPORTERS = (
    # ref, timezone, rules (make, include, model, year_from, year_to), days
    ("imp-ws", "Europe/Copenhagen", None, 70),
    (
        "imp-south",
        "Pacific/Auckland",
        (("brand", False, "X", 2012, None), ("OTHER", False, None, None, 2015)),
        75,
    ),
    (
        "imp-west",
        "America/Los_Angeles",
        (("other", True, "X", 2020, None), ("Brand", True, "Y", None, None)),
        40,
    ),
)


async def _seed(engine: AsyncEngine) -> None:
    await build_random(engine, seed=7)  # importer "imp": partners, leads, offers, events
    async with engine.begin() as conn:
        for n, (ref, timezone, rules, days) in enumerate(_IMPORTERS):
            extra = {} if rules is None else {"rules": rules}
            await generate(
                conn, 100 + n, last_day=AS_OF, days=days, ref=ref, timezone=timezone, **extra
            )


async def _wipe(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in ROLLUPS:
            await conn.execute(text(f"DELETE FROM {table}"))


async def _legacy(engine: AsyncEngine, days: Sequence[date] | None) -> dict[str, list[tuple]]:
    """Every importer rebuilt for ``days`` by the old statements."""
    await _wipe(engine)
    async with engine.begin() as conn:
        importers = (await conn.execute(text("SELECT id FROM importers ORDER BY id"))).scalars()
        for importer_id in list(importers):
            await rebuild_workshop_days(conn, importer_id=importer_id, days=days, as_of=AS_OF)
            await rebuild_partner_days(conn, importer_id=importer_id, days=days, as_of=AS_OF)
    return await snapshot(engine)


async def _marked(engine: AsyncEngine, days: Sequence[date]) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                """INSERT INTO dirty_days (importer_id, domain, day)
                   SELECT i.id, d.domain, x.day FROM importers i
                   CROSS JOIN (VALUES ('workshop'), ('partner')) d (domain)
                   CROSS JOIN unnest(CAST(:days AS date[])) x (day)
                   ON CONFLICT DO NOTHING"""
            ),
            {"days": list(days)},
        )


async def _spoil(engine: AsyncEngine, days: Sequence[date] | None) -> None:
    """Damage the rows of ``days`` (None: all) that a rebuild of them must repair."""
    chosen = "(CAST(:all AS boolean) OR day = ANY(CAST(:days AS date[])))"
    params = {"all": days is None, "days": list(days or [])}
    async with engine.begin() as conn:
        for sql in (
            f"UPDATE workshop_day SET throughput = throughput + 1, chat_response_seconds ="
            f" chat_response_seconds + 0.5 WHERE {chosen} AND extract(day FROM day) < 10",
            f"DELETE FROM workshop_day WHERE {chosen} AND extract(day FROM day) > 25",
            f"UPDATE workshop_day_users SET user_ids = user_ids || 999999"
            f" WHERE {chosen} AND kind = 'app' AND extract(day FROM day) < 12",
            f"DELETE FROM workshop_day_users WHERE {chosen} AND kind = 'staff'"
            f" AND extract(day FROM day) > 20",
            f"DELETE FROM partner_cohort_day WHERE {chosen} AND extract(day FROM day) > 20",
            f"UPDATE partner_offer_day SET offers = offers + 1 WHERE {chosen}",
        ):
            await conn.execute(text(sql), params)
        if days is None:  # rows of days without data, and after as-of, must go
            await conn.execute(
                text(
                    f"""INSERT INTO workshop_day (workshop_id, day, importer_id, {_COUNTS})
                       SELECT id, d, importer_id, {", ".join("1" for _ in DAY_COLUMNS)}
                       FROM workshops
                       CROSS JOIN (VALUES (DATE '2020-01-01'), (CAST(:today AS date))) x (d)"""
                ),
                {"today": TODAY},
            )


def _differences(new: dict[str, list[tuple]], old: dict[str, list[tuple]]) -> dict[str, int]:
    return {t: len(set(new[t]) ^ set(old[t])) for t in ROLLUPS if new[t] != old[t]}


async def test_every_rebuild_writes_what_the_legacy_statements_wrote(engine):
    await _seed(engine)
    await run_processing(engine, today=TODAY)  # every importer processed once

    # a full rebuild of every importer
    legacy = await _legacy(engine, None)
    assert all(legacy[t] for t in ROLLUPS), "the data must fill every rollup"
    await _spoil(engine, None)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE processing_state SET rebuild_all = true"))
    await run_processing(engine, today=TODAY)
    assert _differences(await snapshot(engine), legacy) == {}

    # a window across three DST changes, long enough for the joined connection test
    start, end = DST_START_AUCKLAND - timedelta(days=3), DST_END_AMERICA + timedelta(days=2)
    window = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    legacy = await _legacy(engine, window)
    await _spoil(engine, window)
    await run_processing(engine, today=TODAY, start=start, end=end)
    assert _differences(await snapshot(engine), legacy) == {}

    # scattered dirty days (the connection probed per visit): the DST days, as-of
    scattered = [
        DST_START_AUCKLAND,
        DST_END_EUROPE,
        DST_END_AMERICA,
        AS_OF - timedelta(days=9),
        AS_OF,
    ]
    legacy = await _legacy(engine, scattered)
    await _spoil(engine, scattered)
    await _marked(engine, scattered)
    await run_processing(engine, today=TODAY)
    assert _differences(await snapshot(engine), legacy) == {}
