"""The distinct-count copy is loaded off the request path: requests meanwhile
are answered from SQL (right, and without waiting), ``/readyz`` says whether it
is warm, and a processing run reloads it through NOTIFY before any request."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.processing.job import run_processing
from server.resolvers.distinct_ids import IdsByKind, load_all
from tests.conftest import TODAY
from tests.oracle.fixtures import insert_app_activity, insert_importer, insert_workshop

QUERY = """{ activationsDashboard(period: {from: "2026-11-01", to: "2026-11-10"}) {
  appUsers { value } } }"""


async def _seed(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        w1 = await insert_workshop(c, imp, ref="w1")
        await insert_app_activity(c, w1, "a1", date(2026, 11, 1))
        await insert_app_activity(c, w1, "a2", date(2026, 11, 5))
    await run_processing(engine, today=TODAY)
    return imp, w1


async def test_requests_while_the_copy_loads_are_answered_from_sql(
    engine, settings, database_url, token
):
    await _seed(engine)
    gate = asyncio.Event()

    async def held_back(
        engine_: AsyncEngine, importer_id: int, previous: tuple[int, IdsByKind] | None
    ) -> tuple[int, IdsByKind]:
        await gate.wait()
        return await load_all(engine_, importer_id, previous)

    # start-up serves without waiting for the load (it is held back)
    started = settings.model_copy(update={"copy_preload_seconds": 0})
    app = create_app(started, database_url=database_url, migrate=False)
    cache = app.state.insights.distinct_cache
    cache.loader = held_back
    headers = {"Authorization": f"Bearer {token('importer')}"}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            ready = (await http.get("/readyz")).json()
            assert {k: ready[k] for k in ("status", "distinctCache", "distinctCacheBytes")} == {
                "status": "ok",
                "distinctCache": "loading",
                "distinctCacheBytes": 0,
            }
            body = (await http.post("/graphql", json={"query": QUERY}, headers=headers)).json()
            assert body == {"data": {"activationsDashboard": {"appUsers": {"value": 2}}}}
            assert cache.state == "loading"
            gate.set()
            await cache.settled()
            ready = (await http.get("/readyz")).json()
            assert ready["distinctCache"] == "warm" and ready["distinctCacheBytes"] > 0
            body = (await http.post("/graphql", json={"query": QUERY}, headers=headers)).json()
            assert body["data"]["activationsDashboard"]["appUsers"]["value"] == 2


async def test_a_processing_run_reloads_the_copy_before_any_request(engine, settings, database_url):
    imp, w1 = await _seed(engine)
    app = create_app(settings, database_url=database_url, migrate=False)
    cache = app.state.insights.distinct_cache
    async with LifespanManager(app):
        await cache.settled()
        before = cache.loaded_version(imp)
        assert before is not None
        async with engine.begin() as c:
            await insert_app_activity(c, w1, "a3", date(2026, 11, 6))
        await run_processing(engine, today=TODAY, start=date(2026, 11, 6), end=date(2026, 11, 6))
        for _ in range(400):  # the notification arrives asynchronously; no request is made
            if cache.loaded_version(imp) == before + 1 and cache.state == "warm":
                break
            await asyncio.sleep(0.05)
        assert cache.loaded_version(imp) == before + 1
        ids = cache._entries[imp].ids["app"]
        assert ids.users.size == 3
