"""Start-up warms the process (server/warmup.py): the first request after start
opens no pool connection and compiles no statement that a warm one would not,
and on a database without processed data the warm-up does nothing, quietly."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.auth.principal import Role
from server.config import Settings
from server.processing.job import run_processing
from server.warmup import dashboard_query
from tests.conftest import TODAY
from tests.live import serving
from tests.oracle.fixtures import (
    insert_app_activity,
    insert_importer,
    insert_lead,
    insert_workshop,
)
from tests.statements import counting


async def _seed(engine: AsyncEngine) -> None:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        w1 = await insert_workshop(c, imp, ref="w1")
        await insert_lead(c, imp, datetime(2026, 11, 2, 12, tzinfo=UTC), workshop_id=w1)
        await insert_app_activity(c, w1, "a1", date(2026, 11, 1))
    await run_processing(engine, today=TODAY)


@contextmanager
def connects(engine: AsyncEngine) -> Iterator[list[object]]:
    """The new DBAPI connections the pool opens inside the block."""
    opened: list[object] = []

    def record(dbapi_connection: Any, record: Any) -> None:
        opened.append(dbapi_connection)

    event.listen(engine.sync_engine, "connect", record)
    try:
        yield opened
    finally:
        event.remove(engine.sync_engine, "connect", record)


async def _first_request(
    settings: Settings, database_url: str, token: Callable[..., str]
) -> tuple[int, int, int]:
    """(connections opened, statements compiled, statements sent) by the first
    request over real HTTP after start."""
    app = create_app(settings, database_url=database_url, migrate=False)
    engine = app.state.insights.engine
    compiled = engine.sync_engine._compiled_cache
    headers = {"Authorization": f"Bearer {token('importer')}"}
    query = dashboard_query(app.state.insights.schemas[Role.IMPORTER])
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as http:
        before = len(compiled)
        with connects(engine) as opened, counting(engine) as statements:
            response = await http.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json()
        return len(opened), len(compiled) - before, len(statements)


async def test_the_first_request_after_start_opens_no_connection_and_compiles_nothing(
    engine, settings, database_url, token
):
    await _seed(engine)
    warm = settings.model_copy(update={"warmup": True})
    cold = settings.model_copy(update={"warmup": False})
    opened, compiled, sent = await _first_request(warm, database_url, token)
    assert (opened, compiled) == (0, 0)
    _, cold_compiled, cold_sent = await _first_request(cold, database_url, token)
    assert cold_compiled > 0  # what the warm-up saves (connections: the copy loads opened one)
    assert sent == cold_sent  # the same statements either way


async def test_on_an_empty_database_the_warm_up_does_nothing_and_logs_nothing(
    settings, database_url, caplog: pytest.LogCaptureFixture
):
    app = create_app(settings.model_copy(update={"warmup": True}), database_url=database_url)
    engine = app.state.insights.engine
    caplog.set_level(logging.DEBUG, logger="server")
    with counting(engine) as statements:
        async with LifespanManager(app):
            pass
    assert not [r for r in caplog.records if r.name == "server.warmup"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum("processing_state ps ON" in s for s in statements) == 1
