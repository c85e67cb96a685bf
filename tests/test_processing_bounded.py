"""One-day partner processing reads the lead events of that day, not all of them.

At scale the statement that finds cohorts aged by as-of read every lead event of
the importer (millions) to return nothing. Here each partner statement of a
one-day run is EXPLAIN ANALYZEd on a small set with sequential scans disabled,
which is how the planner costs a table too big to scan: every row it reads from
lead_events must belong to the touched days, never the whole table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.processing.partners import (
    INSERTS,
    TOUCHED_BY_TIME,
    rebuild_params,
    touched_params,
)

AS_OF = date(2026, 6, 30)
DAYS = 180  # one accepted lead per partner and day up to as-of; events on d, d+1, d+5
PARTNERS = 3

_SEED = """
WITH imp AS (
    INSERT INTO importers (importer_ref, name, timezone, lead_due_days,
                           lead_rating_enabled, customer_rating_enabled)
    VALUES ('imp', 'imp', 'Europe/Copenhagen', 30, true, true) RETURNING id
), partners AS (
    INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since)
    SELECT imp.id, 'P' || p, 'P' || p, DATE '2025-01-01'
    FROM imp, generate_series(1, :partners) p RETURNING id, importer_id
), market AS (
    INSERT INTO marketplaces (importer_id, marketplace_ref, name)
    SELECT id, 'M', 'M' FROM imp RETURNING id
)
INSERT INTO leads (importer_id, lead_ref, created_at, source, marketplace_id, exclusive)
SELECT imp.id, 'L' || d || '-' || p, TIMESTAMPTZ '2026-01-01 09:00+00' + d * interval '1 day',
       'MARKETPLACE', market.id, false
FROM imp, market, generate_series(1, :days) d, generate_series(1, :partners) p
"""

_OFFERS = """
INSERT INTO lead_offers (importer_id, lead_id, partner_id, offered_at, response, responded_at)
SELECT l.importer_id, l.id, p.id, l.created_at, 'ACCEPTED', l.created_at + interval '1 hour'
FROM leads l JOIN sales_partners p ON p.partner_ref = 'P' || split_part(l.lead_ref, '-', 2)
"""

_EVENTS = """
INSERT INTO lead_events (importer_id, lead_id, partner_id, occurred_at, kind, value)
SELECT o.importer_id, o.lead_id, o.partner_id, o.responded_at + k.after, k.kind, k.value
FROM lead_offers o
CROSS JOIN (VALUES (interval '2 hours', 'FEEDBACK', NULL),
                   (interval '1 day', 'FIRST_CONTACT', NULL),
                   (interval '5 days', 'LEAD_RATING', 4)) AS k(after, kind, value)
WHERE o.responded_at + k.after < TIMESTAMPTZ '2026-06-30 12:00+00'
"""


async def _seed(engine: AsyncEngine) -> int:
    async with engine.begin() as conn:
        await conn.execute(text(_SEED), {"partners": PARTNERS, "days": DAYS})
        await conn.execute(text(_OFFERS))
        await conn.execute(text(_EVENTS))
        await conn.execute(text("ANALYZE"))
        importer_id = (await conn.execute(text("SELECT id FROM importers"))).scalar_one()
    return int(importer_id)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def _leading_columns(conn: AsyncConnection) -> dict[str, str]:
    """Each lead_events index and its first column."""
    result = await conn.execute(
        text(
            """SELECT c.relname, a.attname
               FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
               WHERE i.indrelid = 'lead_events'::regclass"""
        )
    )
    return {name: column for name, column in result}


async def _lead_event_rows_read(conn: AsyncConnection, sql: str, params: dict[str, Any]) -> int:
    """Rows the statement read from lead_events: returned plus filtered out, every loop.

    An index scan with no condition on the index's first column walks the whole
    index (EXPLAIN counts only the entries it kept), so it counts as every row.
    """
    leading = await _leading_columns(conn)
    total = int((await conn.execute(text("SELECT count(*) FROM lead_events"))).scalar_one())
    result = await conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql), params)
    raw = result.scalar_one()
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    read = 0
    for node in _nodes(plan):
        index = node.get("Index Name")
        if index in leading and node.get("Actual Loops", 0):
            condition = node.get("Index Cond", "")
            if not re.search(rf"\b{leading[index]}\b", condition):
                read += total
        if node.get("Relation Name") == "lead_events":
            loops = int(node.get("Actual Loops", 1))
            kept = float(node.get("Actual Rows", 0))
            removed = float(node.get("Rows Removed by Filter", 0)) + float(
                node.get("Rows Removed by Index Recheck", 0)
            )
            read += round((kept + removed) * loops)
    return read


async def _events_near(conn: AsyncConnection, lo: datetime, hi: datetime) -> int:
    """Events that occurred in [lo, hi), plus every event of a lead accepted then."""
    result = await conn.execute(
        text(
            """SELECT count(*) FROM lead_events e
               WHERE (e.occurred_at >= :lo AND e.occurred_at < :hi)
                  OR EXISTS (SELECT 1 FROM lead_offers o
                             WHERE o.lead_id = e.lead_id AND o.partner_id = e.partner_id
                               AND o.responded_at >= :lo AND o.responded_at < :hi)"""
        ),
        {"lo": lo, "hi": hi},
    )
    return int(result.scalar_one())


async def test_one_day_partner_statements_read_only_that_days_lead_events(engine):
    importer_id = await _seed(engine)
    day = AS_OF - timedelta(days=3)
    async with engine.connect() as conn:
        total = int((await conn.execute(text("SELECT count(*) FROM lead_events"))).scalar_one())
        assert total > 1000
        await conn.execute(text("SET enable_seqscan = off"))

        aged = touched_params(importer_id=importer_id, after=AS_OF - timedelta(days=1), as_of=AS_OF)
        aged_read = await _lead_event_rows_read(conn, TOUCHED_BY_TIME, aged)
        assert aged_read <= await _events_near(conn, aged["lo"], aged["hi"]) < total / 10

        rebuild = rebuild_params(importer_id=importer_id, days=[day], as_of=AS_OF)
        bound = await _events_near(conn, rebuild["lo"], rebuild["hi"])
        assert bound < total / 10
        for insert in INSERTS:
            savepoint = await conn.begin_nested()  # EXPLAIN ANALYZE runs the insert
            read = await _lead_event_rows_read(conn, insert, rebuild)
            await savepoint.rollback()
            assert read <= bound, insert.split("INSERT INTO")[1].split("(")[0]


async def test_a_second_run_on_the_same_day_reads_no_lead_events(engine):
    importer_id = await _seed(engine)
    async with engine.connect() as conn:
        await conn.execute(text("SET enable_seqscan = off"))
        params = touched_params(importer_id=importer_id, after=AS_OF, as_of=AS_OF)
        assert await _lead_event_rows_read(conn, TOUCHED_BY_TIME, params) == 0
