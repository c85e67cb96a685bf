"""The in-process daily schedule of `insights serve`: once a minute, process every
importer whose local clock has passed the processing time (default 12:00) and
whose rollups are behind its as-of. Catching up this way survives restarts;
larger deployments run `insights process` from cron instead."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.processing.job import run_processing

log = logging.getLogger(__name__)


async def _due_importers(
    engine: AsyncEngine, at: time, now: datetime, today: date | None = None
) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT i.importer_ref, i.timezone, s.processed_through FROM importers i"
                " LEFT JOIN processing_state s ON s.importer_id = i.id"
            )
        )
        due = []
        for ref, tz, processed_through in rows:
            local = now.astimezone(ZoneInfo(tz))
            as_of = (today or local.date()) - timedelta(days=1)
            if local.time() >= at and (processed_through is None or processed_through < as_of):
                due.append(ref)
        return due


async def run_schedule(
    engine: AsyncEngine,
    at: time,
    *,
    today: date | None = None,
    interval_seconds: float = 60.0,
) -> None:
    """Run forever (until cancelled). ``today`` pins the date (INSIGHTS_TODAY)."""
    while True:
        try:
            for ref in await _due_importers(engine, at, datetime.now(ZoneInfo("UTC")), today):
                runs = await run_processing(engine, importer_ref=ref, today=today)
                if any(run.busy for run in runs):  # another worker or a cron run has it
                    log.info("another run is processing importer %s", ref)
                else:
                    log.info("scheduled processing done for %s", ref)
        except asyncio.CancelledError:
            raise
        except Exception:  # keep the schedule alive; the next tick retries
            log.exception("scheduled processing failed")
        await asyncio.sleep(interval_seconds)
