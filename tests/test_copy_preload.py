"""Start-up loads the copies before the server answers (bounded by
``copy_preload_seconds``), so the first request after start answers from them,
and a request that finds a refresh of its data version under way waits for it
(bounded by ``copy_wait_seconds``) rather than reading SQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.oracle.fixtures import (
    insert_app_activity,
    insert_importer,
    insert_lead,
    insert_workshop,
)
from tests.statements import counting

QUERY = """{ activationsDashboard(period: {from: "2026-11-01", to: "2026-11-10"}) {
  leadsCreated { value } appUsers { value } } }"""


async def _seed(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        w1 = await insert_workshop(c, imp, ref="w1")
        await insert_lead(c, imp, datetime(2026, 11, 2, 12, tzinfo=UTC), workshop_id=w1)
        await insert_app_activity(c, w1, "a1", date(2026, 11, 1))
        await insert_app_activity(c, w1, "a2", date(2026, 11, 5))
    await run_processing(engine, today=TODAY)
    return imp, w1


def _rollup_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "workshop_day" in s and "copy_blocks" not in s]


async def _answer(http: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    body = (await http.post("/graphql", json={"query": QUERY}, headers=headers)).json()
    return body["data"]["activationsDashboard"]


async def test_the_first_request_after_start_answers_from_the_copies(
    engine, settings, database_url, token
):
    await _seed(engine)
    app = create_app(settings, database_url=database_url, migrate=False)
    state = app.state.insights
    copies = state.day_copy
    # every load starts only once the listener has caught up, the moment start-up
    # would end without waiting for the loads
    for member in (copies.days, copies.offers, copies.cohort):
        inner = member.loader

        async def later(*args: Any, inner: Any = inner) -> Any:
            await copies.following.wait()
            return await inner(*args)

        member.loader = later
    distinct_inner = state.distinct_cache.loader

    async def distinct_later(*args: Any) -> Any:
        await copies.following.wait()
        return await distinct_inner(*args)

    state.distinct_cache.loader = distinct_later
    headers = {"Authorization": f"Bearer {token('importer')}"}
    async with LifespanManager(app) as manager:
        assert copies.state == "warm" and state.distinct_cache.state == "warm"
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            with counting(state.engine) as statements:
                assert await _answer(http, headers) == {
                    "leadsCreated": {"value": 1},
                    "appUsers": {"value": 2},
                }
            assert not _rollup_reads(statements)


async def test_a_request_waits_for_the_refresh_under_way_instead_of_reading_sql(
    engine, settings, database_url, token
):
    imp, w1 = await _seed(engine)
    app = create_app(settings, database_url=database_url, migrate=False)
    copies = app.state.insights.day_copy.days
    inner = copies.loader
    entered, gate = asyncio.Event(), asyncio.Event()

    async def held(*args: Any) -> Any:
        entered.set()
        await gate.wait()
        return await inner(*args)

    headers = {"Authorization": f"Bearer {token('importer')}"}
    async with LifespanManager(app) as manager:
        await app.state.insights.day_copy.settled()
        copies.loader = held
        async with engine.begin() as c:
            await insert_lead(c, imp, datetime(2026, 11, 3, 12, tzinfo=UTC), workshop_id=w1)
        await run_processing(engine, today=TODAY, start=date(2026, 11, 3), end=date(2026, 11, 3))
        await entered.wait()  # the notification started the refresh; it is held
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            with counting(app.state.insights.engine) as statements:
                request = asyncio.create_task(_answer(http, headers))
                while not copies._tasks[imp].done() and not request.done():
                    await asyncio.sleep(0)
                    if any("data_version" in s for s in statements):
                        break  # the request has read the version: now it waits
                gate.set()
                answer = await request
            assert answer["leadsCreated"] == {"value": 2}
            assert not [s for s in _rollup_reads(statements) if "workshop_day_users" not in s]
