"""How long ``insights process`` takes: a full rebuild, then an incremental run.

The full run is forced by forgetting every importer's processing state (no
state means "rebuild everything", as on a freshly loaded database), so a reused
database is measured exactly like a fresh one. The incremental run follows a
change to one day: that day marked dirty for workshops and partners, which is
what ingesting a changed row of that day records.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text

from server.db import make_engine
from server.processing.job import run_processing


@dataclass(frozen=True)
class ProcessTimes:
    full_seconds: float
    incremental_seconds: float
    touched_day: date


async def time_processing(url: str, *, today: date) -> ProcessTimes:
    """Full rebuild, then one touched day (three days before as-of), both timed."""
    touched = today - timedelta(days=4)
    engine = make_engine(url, pool_size=2)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM processing_state"))
        started = time.perf_counter()
        await run_processing(engine, today=today)
        full = time.perf_counter() - started
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    """INSERT INTO dirty_days (importer_id, domain, day)
                       SELECT i.id, d.domain, :day
                       FROM importers i CROSS JOIN (VALUES ('workshop'), ('partner')) d (domain)
                       ON CONFLICT DO NOTHING"""
                ),
                {"day": touched},
            )
        started = time.perf_counter()
        await run_processing(engine, today=today)
        incremental = time.perf_counter() - started
    finally:
        await engine.dispose()
    return ProcessTimes(full, incremental, touched)
