"""The day-rollup copy is loaded off the request path and follows the data
version: while it is behind, requests are answered from SQL (never from the
older copy), a processing run reloads it through NOTIFY, ``/readyz`` reports it,
and an importer beyond the memory budget is answered from SQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.metrics.columnar import DayColumns
from server.processing.job import run_processing
from server.resolvers.day_copy import load
from tests.conftest import TODAY
from tests.oracle.fixtures import insert_importer, insert_lead, insert_workshop
from tests.statements import counting

QUERY = """{ activationsDashboard(period: {from: "2026-11-01", to: "2026-11-10"}) {
  leadsCreated { value } } }"""

_DAY_ROWS = "workshop_day d"


async def _lead(engine: AsyncEngine, imp: int, w: int, day: int) -> None:
    async with engine.begin() as c:
        await insert_lead(c, imp, datetime(2026, 11, day, 12, tzinfo=UTC), workshop_id=w)


async def _seed(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        w1 = await insert_workshop(c, imp, ref="w1")
    await _lead(engine, imp, w1, 2)
    await _lead(engine, imp, w1, 5)
    await run_processing(engine, today=TODAY)
    return imp, w1


async def _leads(http: httpx.AsyncClient, headers: dict[str, str]) -> int:
    body = (await http.post("/graphql", json={"query": QUERY}, headers=headers)).json()
    return int(body["data"]["activationsDashboard"]["leadsCreated"]["value"])


async def test_a_copy_behind_the_data_version_is_never_used(engine, settings, database_url, token):
    imp, w1 = await _seed(engine)
    app = create_app(settings, database_url=database_url, migrate=False)
    copies = app.state.insights.day_copy.days
    headers = {"Authorization": f"Bearer {token('importer')}"}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await app.state.insights.day_copy.settled()  # every copy, partners' too
            ready = (await http.get("/readyz")).json()
            assert ready["dayCopy"] == "warm" and ready["dayCopyBytes"] > 0
            with counting(app.state.insights.engine) as statements:
                assert await _leads(http, headers) == 2
            assert not [s for s in statements if _DAY_ROWS in s]

            gate = asyncio.Event()

            async def held_back(
                e: AsyncEngine, i: int, budget: int, previous: tuple[int, DayColumns] | None
            ) -> tuple[int, DayColumns | None]:
                await gate.wait()
                return await load(e, i, budget, previous)

            copies.loader = held_back
            before = copies.loaded_version(imp)
            await _lead(engine, imp, w1, 7)
            await run_processing(
                engine, today=TODAY, start=date(2026, 11, 7), end=date(2026, 11, 7)
            )
            with counting(app.state.insights.engine) as statements:
                assert await _leads(http, headers) == 3  # from SQL: the copy is behind
            assert [s for s in statements if _DAY_ROWS in s]
            assert copies.loaded_version(imp) == before and copies.state == "loading"
            assert (await http.get("/readyz")).json()["dayCopy"] == "loading"
            gate.set()
            await copies.settled()
            assert copies.loaded_version(imp) == before + 1
            with counting(app.state.insights.engine) as statements:
                assert await _leads(http, headers) == 3
            assert not [s for s in statements if _DAY_ROWS in s]


async def test_a_processing_run_reloads_the_copy_before_any_request(engine, settings, database_url):
    imp, w1 = await _seed(engine)
    app = create_app(settings, database_url=database_url, migrate=False)
    copies = app.state.insights.day_copy.days
    async with LifespanManager(app):
        await copies.settled()
        before = copies.loaded_version(imp)
        assert before is not None
        await _lead(engine, imp, w1, 8)
        await run_processing(engine, today=TODAY, start=date(2026, 11, 8), end=date(2026, 11, 8))
        for _ in range(400):  # the notification arrives asynchronously; no request is made
            if copies.loaded_version(imp) == before + 1 and copies.state == "warm":
                break
            await asyncio.sleep(0.05)
        assert copies.loaded_version(imp) == before + 1


async def test_an_importer_beyond_the_memory_budget_is_answered_from_sql(
    engine, settings, database_url, token
):
    imp, _ = await _seed(engine)
    app = create_app(
        settings.model_copy(update={"day_copy_max_bytes": 16}),
        database_url=database_url,
        migrate=False,
    )
    headers = {"Authorization": f"Bearer {token('importer')}"}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await app.state.insights.day_copy.settled()
            ready = (await http.get("/readyz")).json()
            assert ready["dayCopy"] == "warm" and ready["dayCopyBytes"] == 0
            assert app.state.insights.day_copy.days.over_budget == [imp]
            with counting(app.state.insights.engine) as statements:
                assert await _leads(http, headers) == 2
            assert [s for s in statements if _DAY_ROWS in s]
