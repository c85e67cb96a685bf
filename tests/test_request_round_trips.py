"""What a request's reads cost in round trips to PostgreSQL, besides the statements
themselves: no ``BEGIN``/``ROLLBACK`` around each read (the reads run as single
statements), and one ``;`` per pool checkout to make sure the connection is alive
(SQLAlchemy's ``pool_pre_ping`` sent three). Real PostgreSQL, real HTTP (ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from server.app import create_app
from server.config import Settings
from server.db import plain_url
from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.oracle.fixtures import insert_importer, insert_staff_activity, insert_workshop

QUERY = """{ workshop(id: "w1") { dashboard(period: {preset: LAST_30_DAYS}) {
  newActivations { value trend { previous } } activeStaff { value } connectionRate { rate } } } }"""


@pytest.fixture
async def served(
    engine: AsyncEngine, settings: Settings, database_url: str
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        w1 = await insert_workshop(c, imp, ref="w1")
        await insert_staff_activity(c, w1, "u1", date(2026, 11, 20), 3)
    await run_processing(engine, today=TODAY)
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        state = app.state.insights
        await state.day_copy.following.wait()  # the copies' loads are not the request's
        await state.distinct_cache.settled()
        await state.day_copy.settled()
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield app, http


async def _dashboard(http: httpx.AsyncClient, token: Callable[..., str]) -> dict[str, Any]:
    jwt = token("importer")
    response = await http.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {jwt}"}
    )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body


async def test_a_dashboards_reads_run_outside_any_transaction(
    served: tuple[Starlette, httpx.AsyncClient], token: Callable[..., str]
) -> None:
    app, http = served
    in_transaction: list[bool] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        in_transaction.append(conn.connection.driver_connection.is_in_transaction())

    sync_engine = app.state.insights.engine.sync_engine
    event.listen(sync_engine, "after_cursor_execute", seen)
    try:
        body = await _dashboard(http, token)
    finally:
        event.remove(sync_engine, "after_cursor_execute", seen)
    assert body["data"]["workshop"]["dashboard"]["activeStaff"] == {"value": 1}
    assert in_transaction and not any(in_transaction)


async def test_pooled_connections_killed_behind_the_pools_back_are_replaced(
    served: tuple[Starlette, httpx.AsyncClient], token: Callable[..., str], database_url: str
) -> None:
    """The one-round-trip ping still finds a dead pooled connection before a request uses it."""
    _, http = served
    first = await _dashboard(http, token)  # the pool now holds connections
    admin = await asyncpg.connect(plain_url(database_url))
    try:
        killed = await admin.fetchval(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()) t"
        )
    finally:
        await admin.close()
    assert killed > 0
    assert await _dashboard(http, token) == first


async def test_the_next_request_after_a_processing_run_reads_the_new_version(
    served: tuple[Starlette, httpx.AsyncClient],
    token: Callable[..., str],
    engine: AsyncEngine,
) -> None:
    """The data version comes with the importer, per request: the in-process copy
    of the previous version is not used once a run has committed (no waiting for
    the listener)."""
    _, http = served
    before = await _dashboard(http, token)
    assert before["data"]["workshop"]["dashboard"]["activeStaff"] == {"value": 1}
    async with engine.begin() as c:
        w1 = (
            await c.execute(text("SELECT id FROM workshops WHERE workshop_ref = 'w1'"))
        ).scalar_one()
        await insert_staff_activity(c, w1, "u2", date(2026, 11, 21), 2)
    day = date(2026, 11, 21)
    await run_processing(engine, today=TODAY, start=day, end=day)
    after = await _dashboard(http, token)
    assert after["data"]["workshop"]["dashboard"]["activeStaff"] == {"value": 2}
