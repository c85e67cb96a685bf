"""Dashboard reads keep a plan made for their own parameters, and an
importer-wide day-range read of ``workshop_day`` has an index.

asyncpg prepares every statement; under PostgreSQL's default
``plan_cache_mode=auto`` the 6th execution of a prepared statement on one
connection may switch to a generic plan that cannot see the scope arrays' sizes
or the period (at scale a nested loop 10x slower). No timing here: the plan's
statistics say how often each plan kind was used."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.metrics.periods import Period
from server.resolvers import activations


async def test_every_connection_plans_for_its_parameters(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        mode = (await conn.execute(text("SHOW plan_cache_mode"))).scalar_one()
    assert mode == "force_custom_plan"


async def test_a_prepared_read_keeps_custom_plans_after_many_runs(engine: AsyncEngine) -> None:
    current = Period(date(2026, 10, 1), date(2026, 10, 30))
    previous = Period(date(2026, 9, 1), date(2026, 9, 30))
    for _ in range(8):  # run one after another: the pool hands out the same connection
        await activations.day_rows(engine, 1, [[1, 2], [3]], current, previous, with_days=False)
    async with engine.connect() as conn:
        plans = (
            await conn.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%FROM unnest(%workshop_day%'"
                    " AND statement NOT LIKE '%pg_prepared_statements%'"
                )
            )
        ).one()
    assert plans == (0, 8)


async def test_an_importer_wide_day_range_read_uses_an_index(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        rows = await conn.execute(
            text(
                "EXPLAIN SELECT day, sum(leads_created) FROM workshop_day"
                " WHERE importer_id = 1 AND day BETWEEN '2026-01-01' AND '2026-01-30'"
                " GROUP BY day"
            )
        )
        plan = "\n".join(r[0] for r in rows)
    assert "ix_workshop_day_importer_day" in plan
