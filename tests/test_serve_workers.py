"""`insights serve --workers 2` (a real subprocess, real HTTP) answers distinct
counts on every worker, from a copy each worker loads at start-up off the
request path (``/readyz`` says warm), and after a processing run elsewhere
(this test process) every worker answers the new number.

Before, the first request needing a distinct count loaded every id on the
request path while holding the GIL: at scale past uvicorn's 5 s worker health
check, so a worker was killed and restarted cold and no such answer came."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from server.processing.job import run_processing
from tests.conftest import TEST_SECRET, TODAY
from tests.oracle.fixtures import (
    insert_app_activity,
    insert_importer,
    insert_staff_activity,
    insert_workshop,
)

QUERY = """{ activationsDashboard(period: {from: "2026-11-01", to: "2026-11-10"}) {
  appUsers { value series(granularity: WEEK) { value } } activeStaff { value } } }"""

WORKERS = 2
ROUNDS = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "INSIGHTS_JWT_SECRET": TEST_SECRET,
        "INSIGHTS_TODAY": TODAY.isoformat(),
        "INSIGHTS_PROCESS_SCHEDULE": "false",
        "INSIGHTS_DATA_DIR": str(tmp_path),
        "INSIGHTS_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "server.cli", "serve", "--workers", str(WORKERS)]
    server = await asyncio.create_subprocess_exec(
        *command, "--port", str(port), env=env, cwd=tmp_path, start_new_session=True
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            yield http
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and its workers
        await asyncio.wait_for(server.wait(), 60)


async def _until_warm(http: httpx.AsyncClient) -> None:
    """Until several /readyz answers in a row (both workers, by the odds) say warm."""
    in_a_row = 0
    for _ in range(600):
        try:
            body = (await http.get("/readyz")).json()
        except httpx.TransportError:  # not listening yet
            body = {}
        in_a_row = in_a_row + 1 if body.get("distinctCache") == "warm" else 0
        if in_a_row >= 4 * WORKERS:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never warm: last /readyz answer {body}")


async def _answers(http: httpx.AsyncClient, token: str) -> list[tuple[int, int, list[int]]]:
    found = []
    for _ in range(ROUNDS):
        response = await http.post(
            "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        d = body["data"]["activationsDashboard"]
        series = [p["value"] for p in d["appUsers"]["series"]]
        found.append((d["appUsers"]["value"], d["activeStaff"]["value"], series))
    return found


async def test_two_workers_answer_every_distinct_count(engine, served, token):
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        w1 = await insert_workshop(c, imp, ref="w1")
        w2 = await insert_workshop(c, imp, ref="w2")
        await insert_app_activity(c, w1, "a1", date(2026, 11, 1))
        await insert_app_activity(c, w1, "a1", date(2026, 11, 5))
        await insert_app_activity(c, w2, "a2", date(2026, 11, 9))
        await insert_staff_activity(c, w1, "u1", date(2026, 11, 2), 3)
    await run_processing(engine, today=TODAY)
    jwt = token("importer")

    await _until_warm(served)
    # ISO weeks: 1 Nov (a1), 2-8 Nov (a1), 9-10 Nov (a2)
    assert await _answers(served, jwt) == [(2, 1, [1, 1, 1])] * ROUNDS

    async with engine.begin() as c:
        await insert_app_activity(c, w2, "a3", date(2026, 11, 3))
    await run_processing(engine, today=TODAY, start=date(2026, 11, 3), end=date(2026, 11, 3))
    await _until_warm(served)
    assert await _answers(served, jwt) == [(3, 1, [1, 2, 1])] * ROUNDS
