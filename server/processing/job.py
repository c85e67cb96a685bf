"""The daily processing job: decide which days of which importer are stale, rebuild
their rollups, and record the run. Idempotent: running it twice changes nothing.

Default (incremental): the days ingestion marked dirty, up to as-of, plus the
partner cohorts whose events became countable because as-of moved on; everything
when the importer's rules or timezone changed. ``--from/--to`` rebuilds a range.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.clock import as_of_in
from server.errors import BadUserInput
from server.processing.partners import partner_days_touched_by_time, rebuild_partner_days
from server.processing.workshops import rebuild_workshop_days

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImporterRun:
    importer_ref: str
    as_of: date
    workshop_days: int | None  # None: every day was rebuilt
    partner_days: int | None


@dataclass(frozen=True)
class _ImporterRow:
    id: int
    ref: str
    timezone: str
    rebuild_all: bool
    processed_through: date | None


async def _importers(conn: AsyncConnection, only: str | None) -> list[_ImporterRow]:
    rows = await conn.execute(
        text(
            """SELECT i.id, i.importer_ref, i.timezone, coalesce(s.rebuild_all, true),
                      s.processed_through
               FROM importers i LEFT JOIN processing_state s ON s.importer_id = i.id
               WHERE CAST(:only AS text) IS NULL OR i.importer_ref = :only
               ORDER BY i.id"""
        ),
        {"only": only},
    )
    return [_ImporterRow(*row) for row in rows]


async def _dirty(conn: AsyncConnection, importer_id: int, domain: str, as_of: date) -> list[date]:
    rows = await conn.execute(
        text(
            "SELECT day FROM dirty_days WHERE importer_id = :i AND domain = :d AND day <= :as_of"
            " ORDER BY day"
        ),
        {"i": importer_id, "d": domain, "as_of": as_of},
    )
    return [r[0] for r in rows]


def _day_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def _process_importer(
    conn: AsyncConnection, imp: _ImporterRow, as_of: date, window: tuple[date, date] | None
) -> ImporterRun:
    workshop_days: Sequence[date] | None
    partner_days: Sequence[date] | None
    if window is not None:
        workshop_days = partner_days = _day_range(window[0], min(window[1], as_of))
    elif imp.rebuild_all:
        workshop_days = partner_days = None
    else:
        workshop_days = await _dirty(conn, imp.id, "workshop", as_of)
        aged = await partner_days_touched_by_time(
            conn, importer_id=imp.id, after=imp.processed_through, as_of=as_of
        )
        partner_days = sorted(set(await _dirty(conn, imp.id, "partner", as_of)) | set(aged))
    await rebuild_workshop_days(conn, importer_id=imp.id, days=workshop_days, as_of=as_of)
    await rebuild_partner_days(conn, importer_id=imp.id, days=partner_days, as_of=as_of)
    await _record_run(conn, imp, as_of, window)
    return ImporterRun(
        imp.ref,
        as_of,
        None if workshop_days is None else len(workshop_days),
        None if partner_days is None else len(partner_days),
    )


async def _record_run(
    conn: AsyncConnection, imp: _ImporterRow, as_of: date, window: tuple[date, date] | None
) -> None:
    lo, hi = window if window is not None else (date.min, as_of)  # window: only its days
    await conn.execute(
        text("DELETE FROM dirty_days WHERE importer_id = :i AND day BETWEEN :lo AND :hi"),
        {"i": imp.id, "lo": lo, "hi": min(hi, as_of)},
    )
    await conn.execute(
        text(
            """INSERT INTO processing_state
                   (importer_id, rebuild_all, processed_through, processed_at, data_version)
               VALUES (:i, :windowed, :as_of, now(), 1)
               ON CONFLICT (importer_id) DO UPDATE SET
                   rebuild_all = processing_state.rebuild_all AND :windowed,
                   processed_through = greatest(processing_state.processed_through, :as_of),
                   processed_at = now(),
                   data_version = processing_state.data_version + 1"""
        ),
        {"i": imp.id, "as_of": as_of, "windowed": window is not None},
    )


async def run_processing(
    engine: AsyncEngine,
    *,
    today: date | None = None,
    start: date | None = None,
    end: date | None = None,
    importer_ref: str | None = None,
) -> list[ImporterRun]:
    """Process every importer (or one), each in its own transaction.

    Args:
        today: pins today (INSIGHTS_TODAY); otherwise each importer's local date.
        start, end: rebuild exactly this range (clipped to as-of) instead of the
            stale days; both or neither.
    """
    if end is not None and start is None:
        raise BadUserInput("--to needs --from: name the first day to rebuild")
    if start is not None and end is not None and start > end:
        raise BadUserInput(f"--from {start} is after --to {end}")
    async with engine.connect() as conn:
        importers = await _importers(conn, importer_ref)
    runs = []
    for imp in importers:
        as_of = as_of_in(imp.timezone, today)
        window = (start, end or as_of) if start is not None else None
        async with engine.begin() as conn:
            runs.append(await _process_importer(conn, imp, as_of, window))
        log.info("processed %s through %s", imp.ref, as_of)
    return runs
