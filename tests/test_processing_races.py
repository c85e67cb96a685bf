"""Processing beside ingestion and beside another run: nothing committed while a
run is under way is lost, and two runs never write one importer at once.

The interleavings are forced with events around the step where a run clears
its marks (after it has read the dirty days and rebuilt them, before it
commits), never with sleeps.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import asyncpg
import pytest

from server.db import plain_url
from server.processing import job
from server.processing.job import PROCESSING_LOCK, run_processing
from tests.conftest import TODAY
from tests.test_ingest_helpers import csv_of, load, rows, seed

CHAT = "conversation_ref,workshop_ref,started_at,messages,first_response_at"


def chat(ref: str, day: str) -> str:
    return csv_of(CHAT, f"{ref},W1,{day}T10:00:00+02:00,1,")


async def ingest(engine: Any, kind: str, body: str) -> None:
    report = await load(engine, kind, body)
    assert report.errors == [], report.errors


async def chats_per_day(engine: Any) -> dict[date, int]:
    found = await rows(
        engine, "SELECT day, sum(chats) FROM workshop_day GROUP BY day HAVING sum(chats) > 0"
    )
    return {day: int(n) for day, n in found}


def pause_before_clearing(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[asyncio.Event, asyncio.Event]:
    """Hold every run at the start of ``_record_run``: it has read its dirty days
    and rebuilt them, and has neither cleared them nor committed."""
    reached, go = asyncio.Event(), asyncio.Event()
    record: Callable[..., Awaitable[None]] = job._record_run

    async def paused(*args: Any, **kwargs: Any) -> None:
        reached.set()
        await go.wait()
        await record(*args, **kwargs)

    monkeypatch.setattr(job, "_record_run", paused)
    return reached, go


async def run_with_changes_in_between(
    engine: Any, monkeypatch: pytest.MonkeyPatch, *changes: tuple[str, str]
) -> None:
    reached, go = pause_before_clearing(monkeypatch)
    run = asyncio.create_task(run_processing(engine, today=TODAY))
    await reached.wait()
    for kind, body in changes:
        await ingest(engine, kind, body)  # committed while the run is under way
    go.set()
    await run
    monkeypatch.undo()


async def test_changes_committed_during_a_run_reach_the_rollups(engine, monkeypatch):
    await seed(engine, "importers", "workshops")
    await ingest(engine, "chats", chat("C1", "2026-10-03"))
    await run_processing(engine, today=TODAY)
    await ingest(engine, "chats", chat("C2", "2026-10-03"))  # the run reads 10-03 as dirty

    await run_with_changes_in_between(
        engine,
        monkeypatch,
        ("chats", chat("C3", "2026-10-03")),  # a day the run already read and rebuilt
        ("chats", chat("C4", "2026-10-10")),  # a day it never saw
    )
    marks = await rows(engine, "SELECT day FROM dirty_days WHERE domain = 'workshop' ORDER BY 1")
    assert marks == [(date(2026, 10, 3),), (date(2026, 10, 10),)]

    await run_processing(engine, today=TODAY)
    assert await chats_per_day(engine) == {date(2026, 10, 3): 3, date(2026, 10, 10): 1}
    assert await rows(engine, "SELECT day FROM dirty_days") == []


async def test_a_rebuild_requested_during_a_run_is_kept(engine, monkeypatch):
    await seed(engine, "importers", "workshops")
    await run_processing(engine, today=TODAY)
    moved = csv_of(
        "importer_ref,name,timezone,connection_rate_goal,lead_due_days,lead_rating_enabled,"
        "customer_rating_enabled",
        "IMP1,Nordic Motors,America/New_York,0.4,21,true,false",
    )
    await run_with_changes_in_between(engine, monkeypatch, ("importers", moved))
    assert await rows(engine, "SELECT rebuild_all FROM processing_state") == [(True,)]

    await run_processing(engine, today=TODAY)
    assert await rows(engine, "SELECT rebuild_all FROM processing_state") == [(False,)]


async def test_a_second_run_skips_an_importer_held_by_the_first(engine, monkeypatch):
    await seed(engine, "importers", "workshops")
    await ingest(engine, "chats", chat("C1", "2026-10-03"))
    reached, go = pause_before_clearing(monkeypatch)
    first = asyncio.create_task(run_processing(engine, today=TODAY))
    await reached.wait()
    # Without a lock the second run would wait for the first's rows forever: the
    # timeout only turns that deadlock into a failure, it measures nothing.
    second = await asyncio.wait_for(run_processing(engine, today=TODAY), timeout=60)
    go.set()
    done = await first
    assert [(r.importer_ref, r.busy) for r in second] == [("IMP1", True)]
    assert [(r.importer_ref, r.busy) for r in done] == [("IMP1", False)]
    assert await chats_per_day(engine) == {date(2026, 10, 3): 1}


async def test_the_cli_says_in_one_line_that_another_run_holds_the_importer(
    engine, database_url, tmp_path
):
    await seed(engine, "importers", "workshops")
    (importer_id,) = (await rows(engine, "SELECT id FROM importers"))[0]
    holder = await asyncpg.connect(plain_url(database_url))
    try:
        await holder.execute("SELECT pg_advisory_lock($1, $2)", PROCESSING_LOCK, importer_id)
        env = {
            "PATH": os.environ["PATH"],
            "DATABASE_URL": database_url,
            "INSIGHTS_DATA_DIR": str(tmp_path),
            "INSIGHTS_TODAY": TODAY.isoformat(),
        }
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "server.cli", "process"],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
    finally:
        await holder.close()
    assert result.returncode == 75, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == ["another run is processing importer IMP1: nothing done for it"]


async def test_processing_an_unknown_importer_is_refused(engine):
    with pytest.raises(Exception, match="unknown importer 'nope'"):
        await run_processing(engine, today=TODAY, importer_ref="nope")
