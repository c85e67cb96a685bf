"""Dashboard requests measured in-process, through the real app.

Each scenario is one GraphQL document sent to ``create_app(...)`` over
``httpx.ASGITransport``: the JWT check, role schema, resolvers, DataLoaders and
SQL all run as in production, minus the network. Per scenario: ``warmup``
untimed runs, then ``runs`` timed ones (wall time of the request, response body
read); then one more request with a SQLAlchemy ``before/after_cursor_execute``
listener that records its statements, which are then replayed one at a time on
a connection of their own to time the database's share (``replayed``).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.auth.principal import Role
from server.auth.tokens import mint_token
from server.config import Settings

BENCH_SECRET = "bench-secret-" + "x" * 40


@dataclass(frozen=True)
class Scenario:
    name: str
    query: str
    importer: str
    variables: dict[str, Any] = field(default_factory=dict)
    role: Role = Role.IMPORTER
    note: str = ""


@dataclass(frozen=True)
class Timing:
    data_set: str
    scenario: str
    p50_ms: float
    p95_ms: float
    statements: int
    sql_ms: float  # the statements of one request replayed one by one, summed
    slowest_statement_ms: float
    slowest_statement: str
    runs: int
    load: float  # 1-minute load average after the timed runs (others sharing the cores)
    note: str = ""


class ScenarioFailed(Exception):
    """The request answered with errors: timing it would measure the wrong thing."""


@dataclass(frozen=True, order=True)
class Statement:
    ms: float
    sql: str
    parameters: Any = field(compare=False)  # as the driver got them (asyncpg: positional)


@contextmanager
def recording(engine: AsyncEngine) -> Iterator[list[Statement]]:
    """Every statement sent while the block runs, with its time."""
    seen: list[Statement] = []
    started: dict[int, float] = {}

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        begun = started.pop(id(cursor), time.perf_counter())
        seen.append(Statement((time.perf_counter() - begun) * 1000, statement, parameters))

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(sync, "before_cursor_execute", before)
        event.remove(sync, "after_cursor_execute", after)


async def replayed(url: str, statements: list[Statement]) -> list[Statement]:
    """The statements run again one at a time on a connection of their own, each
    timed on its second run: database time (and row transfer) without the wait
    for the app's event loop that the in-request times include."""
    conn = await asyncpg.connect(url)
    try:
        alone = []
        for statement in statements:
            for _ in range(2):
                started = time.perf_counter()
                await conn.fetch(statement.sql, *statement.parameters)
            ms = (time.perf_counter() - started) * 1000
            alone.append(Statement(ms, statement.sql, statement.parameters))
        return alone
    finally:
        await conn.close()


def checked(response: httpx.Response, scenario: Scenario) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        first = (body.get("errors") or [{}])[0]
        raise ScenarioFailed(
            f"{scenario.name}: HTTP {response.status_code}, {first.get('message', body)}"
        )
    return body


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 runs is the 19th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _one_line(sql: str, width: int = 90) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass(frozen=True)
class Serving:
    """The app under measurement: a client that talks to it in-process."""

    client: httpx.AsyncClient
    engine: AsyncEngine
    settings: Settings
    url: str

    def token(self, scenario: Scenario) -> str:
        return mint_token(
            self.settings, role=scenario.role, importer=scenario.importer, sub="bench"
        )

    async def post(self, scenario: Scenario, jwt: str) -> httpx.Response:
        return await self.client.post(
            "/graphql",
            json={"query": scenario.query, "variables": scenario.variables},
            headers={"Authorization": f"Bearer {jwt}"},
        )


@asynccontextmanager
async def serving(url: str, *, today: date) -> AsyncIterator[Serving]:
    """The real app on the database at ``url`` (already processed), ``today`` pinned."""
    settings = Settings(
        jwt_secret=BENCH_SECRET,
        today=today,
        process_schedule=False,
        _env_file=None,
    )
    app = create_app(settings, database_url=url, migrate=False)
    async with LifespanManager(app) as manager:
        # in-process copies are loaded at start-up, before a server takes traffic
        await app.state.insights.distinct_cache.settled()
        await app.state.insights.day_copy.settled()
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield Serving(client, app.state.insights.engine, settings, url)


async def measure(
    url: str,
    scenarios: list[Scenario],
    *,
    data_set: str,
    today: date,
    warmup: int = 3,
    runs: int = 20,
    say: Callable[[str], None] = print,
) -> list[Timing]:
    """Time each scenario against the database at ``url`` (already processed).

    Returns:
        One Timing per scenario that answered without errors; a failing one is
        reported through ``say`` and left out.
    """
    results = []
    async with serving(url, today=today) as app:
        for scenario in scenarios:
            try:
                timing = await _scenario(app, scenario, warmup, runs)
            except ScenarioFailed as failed:
                say(f"  {data_set} / {scenario.name}: FAILED: {failed}")
                continue
            results.append(Timing(data_set=data_set, **timing))
            say(
                f"  {data_set} / {scenario.name}: p50 {timing['p50_ms']:.1f} ms,"
                f" p95 {timing['p95_ms']:.1f} ms, {timing['statements']} statements"
                f" ({timing['sql_ms']:.1f} ms SQL replayed alone,"
                f" slowest {timing['slowest_statement_ms']:.1f} ms)"
            )
    return results


async def _scenario(app: Serving, scenario: Scenario, warmup: int, runs: int) -> dict[str, Any]:
    jwt = app.token(scenario)
    for _ in range(warmup):
        checked(await app.post(scenario, jwt), scenario)
    elapsed = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await app.post(scenario, jwt)
        elapsed.append((time.perf_counter() - started) * 1000)
        checked(response, scenario)
    with recording(app.engine) as seen:
        checked(await app.post(scenario, jwt), scenario)
    statements = await replayed(app.url, seen)
    slowest = max(statements, default=Statement(0.0, "", ()))
    return {
        "scenario": scenario.name,
        "p50_ms": statistics.median(elapsed),
        "p95_ms": _percentile(elapsed, 0.95),
        "statements": len(statements),
        "sql_ms": sum(s.ms for s in statements),
        "slowest_statement_ms": slowest.ms,
        "slowest_statement": _one_line(slowest.sql),
        "runs": runs,
        "load": os.getloadavg()[0],
        "note": scenario.note,
    }
