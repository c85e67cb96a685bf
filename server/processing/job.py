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
from server.processing.blocks import write_blocks
from server.processing.memory import widen_work_mem
from server.processing.partners import partner_days_touched_by_time, rebuild_partner_days
from server.processing.workshops import rebuild_workshop_days

log = logging.getLogger(__name__)


# The advisory-lock namespace of processing runs; the second key is the importer id.
PROCESSING_LOCK = 0x1A5_1975


@dataclass(frozen=True)
class ImporterRun:
    importer_ref: str
    as_of: date
    workshop_days: int | None  # None: every day was rebuilt
    partner_days: int | None
    busy: bool = False  # another run held the importer: this one did nothing


@dataclass(frozen=True)
class _ImporterRow:
    id: int
    ref: str
    timezone: str
    rebuild_all: bool
    rebuild_requests: int
    processed_through: date | None


@dataclass(frozen=True)
class _Mark:
    domain: str
    day: date
    version: int


async def _importer_ids(conn: AsyncConnection, only: str | None) -> list[tuple[int, str, str]]:
    rows = await conn.execute(
        text(
            """SELECT id, importer_ref, timezone FROM importers
               WHERE CAST(:only AS text) IS NULL OR importer_ref = :only ORDER BY id"""
        ),
        {"only": only},
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def _lock(conn: AsyncConnection, importer_id: int) -> bool:
    """Take the importer's processing lock for this transaction, or say it is held:
    two runs at once (CLI and schedule, several workers) would write the same rows."""
    held = await conn.execute(
        text("SELECT pg_try_advisory_xact_lock(:ns, :i)"), {"ns": PROCESSING_LOCK, "i": importer_id}
    )
    return bool(held.scalar_one())


async def _importer(conn: AsyncConnection, importer_id: int) -> _ImporterRow:
    """The importer's state, read under its lock so it includes the previous run."""
    row = await conn.execute(
        text(
            """SELECT i.id, i.importer_ref, i.timezone, coalesce(s.rebuild_all, true),
                      coalesce(s.rebuild_requests, 0), s.processed_through
               FROM importers i LEFT JOIN processing_state s ON s.importer_id = i.id
               WHERE i.id = :i"""
        ),
        {"i": importer_id},
    )
    return _ImporterRow(*row.one())


async def _marks(conn: AsyncConnection, importer_id: int, lo: date, hi: date) -> list[_Mark]:
    rows = await conn.execute(
        text(
            """SELECT domain, day, version FROM dirty_days
               WHERE importer_id = :i AND day BETWEEN :lo AND :hi ORDER BY day"""
        ),
        {"i": importer_id, "lo": lo, "hi": hi},
    )
    return [_Mark(*row) for row in rows]


def _days(marks: Sequence[_Mark], domain: str) -> list[date]:
    return [m.day for m in marks if m.domain == domain]


def _day_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def _process_importer(
    conn: AsyncConnection, imp: _ImporterRow, as_of: date, window: tuple[date, date] | None
) -> ImporterRun:
    workshop_days: Sequence[date] | None
    partner_days: Sequence[date] | None
    lo, hi = window if window is not None else (date.min, as_of)  # window: only its days
    marks = await _marks(conn, imp.id, lo, min(hi, as_of))
    if window is not None:
        workshop_days = partner_days = _day_range(window[0], min(window[1], as_of))
    elif imp.rebuild_all:
        workshop_days = partner_days = None
    else:
        workshop_days = _days(marks, "workshop")
        aged = await partner_days_touched_by_time(
            conn, importer_id=imp.id, after=imp.processed_through, as_of=as_of
        )
        partner_days = sorted(set(_days(marks, "partner")) | set(aged))
    await widen_work_mem(conn)
    await rebuild_workshop_days(conn, importer_id=imp.id, days=workshop_days, as_of=as_of)
    await rebuild_partner_days(conn, importer_id=imp.id, days=partner_days, as_of=as_of)
    await _record_run(conn, imp, as_of, window, marks)
    await write_blocks(conn, imp.id, workshop_days, partner_days)
    return ImporterRun(
        imp.ref,
        as_of,
        None if workshop_days is None else len(workshop_days),
        None if partner_days is None else len(partner_days),
    )


async def _record_run(
    conn: AsyncConnection,
    imp: _ImporterRow,
    as_of: date,
    window: tuple[date, date] | None,
    marks: Sequence[_Mark],
) -> None:
    """Clear the marks this run read, at the version it read: a mark added or
    bumped since (an ingest committed during the run) survives for the next run."""
    await conn.execute(
        text(
            """DELETE FROM dirty_days d
               USING unnest(CAST(:domains AS text[]), CAST(:days AS date[]),
                            CAST(:versions AS int[])) AS r (domain, day, version)
               WHERE d.importer_id = :i AND d.domain = r.domain AND d.day = r.day
                 AND d.version = r.version"""
        ),
        {
            "i": imp.id,
            "domains": [m.domain for m in marks],
            "days": [m.day for m in marks],
            "versions": [m.version for m in marks],
        },
    )
    await conn.execute(
        text(
            """INSERT INTO processing_state
                   (importer_id, rebuild_all, processed_through, processed_at, data_version)
               VALUES (:i, :windowed, :as_of, now(), 1)
               ON CONFLICT (importer_id) DO UPDATE SET
                   rebuild_all = processing_state.rebuild_all
                       AND (:windowed OR processing_state.rebuild_requests <> :requests),
                   processed_through = greatest(processing_state.processed_through, :as_of),
                   processed_at = now(),
                   data_version = processing_state.data_version + 1"""
        ),
        {
            "i": imp.id,
            "as_of": as_of,
            "windowed": window is not None,
            "requests": imp.rebuild_requests,
        },
    )


async def run_processing(
    engine: AsyncEngine,
    *,
    today: date | None = None,
    start: date | None = None,
    end: date | None = None,
    importer_ref: str | None = None,
) -> list[ImporterRun]:
    """Process every importer (or one), each in its own transaction under the
    importer's advisory lock: an importer another run holds is skipped and
    reported with ``busy=True`` (two runs would write the same rollup rows).

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
        importers = await _importer_ids(conn, importer_ref)
    if importer_ref is not None and not importers:
        raise BadUserInput(f"unknown importer {importer_ref!r}: no importer has that importer_ref")
    runs = []
    for importer_id, ref, timezone in importers:
        async with engine.begin() as conn:
            if not await _lock(conn, importer_id):
                log.debug("another run is processing importer %s", ref)
                runs.append(ImporterRun(ref, as_of_in(timezone, today), None, None, busy=True))
                continue
            imp = await _importer(conn, importer_id)
            as_of = as_of_in(imp.timezone, today)
            window = (start, end or as_of) if start is not None else None
            runs.append(await _process_importer(conn, imp, as_of, window))
        log.info("processed %s through %s", imp.ref, as_of)
    return runs
