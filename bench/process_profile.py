"""Where a processing run spends its time, statement by statement.

Runs ``insights process`` the way ``bench/process.py`` measures it (a full
rebuild, or one day marked dirty) and prints, per statement, the wall time and
the CPU time of the PostgreSQL backend that ran it (read from /proc, so only
for a server on this machine). On a loaded machine wall times swing by 2x from
run to run; the backend's CPU time barely moves, so compare that.

Run: ``python -m bench.process_profile URL full|day [--today 2026-11-24]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, text

from server.db import make_engine
from server.processing.job import run_processing

_TICKS = os.sysconf("SC_CLK_TCK")
_WRITES = re.compile(r"(INSERT INTO \w+|DELETE FROM \w+|SET LOCAL \w+)")


@dataclass
class Timed:
    statement: str
    wall_ms: float
    cpu_ms: float


def _cpu_ms(pid: int) -> float:
    """utime + stime of process ``pid`` (NaN when it is not on this machine)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) * 1000 / _TICKS


def _label(sql: str) -> str:
    flat = " ".join(sql.split())
    writes = _WRITES.findall(flat)  # a statement may write several tables (CTEs)
    return " + ".join(writes) if writes else flat[:70]


async def profile(url: str, mode: str, today: date) -> tuple[list[Timed], float]:
    engine = make_engine(url, pool_size=1)
    timed: list[Timed] = []

    @event.listens_for(engine.sync_engine, "connect")
    def _pid(dbapi: Any, record: Any) -> None:
        cursor = dbapi.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        record.info["pid"] = cursor.fetchone()[0]
        cursor.close()

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        pid = conn.connection._connection_record.info["pid"]
        conn.info["started"] = (time.perf_counter(), _cpu_ms(pid), pid)

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        wall, cpu, pid = conn.info["started"]
        timed.append(Timed(_label(sql), (time.perf_counter() - wall) * 1000, _cpu_ms(pid) - cpu))

    try:
        async with engine.begin() as conn:
            if mode == "full":
                await conn.execute(text("UPDATE processing_state SET rebuild_all = true"))
            else:
                await conn.execute(
                    text(
                        """INSERT INTO dirty_days (importer_id, domain, day)
                           SELECT i.id, d.domain, :day FROM importers i
                           CROSS JOIN (VALUES ('workshop'), ('partner')) d (domain)
                           ON CONFLICT DO NOTHING"""
                    ),
                    {"day": today - timedelta(days=4)},
                )
        timed.clear()
        started = time.perf_counter()
        await run_processing(engine, today=today)
        return timed, time.perf_counter() - started
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Per-statement profile of a processing run.")
    parser.add_argument("url")
    parser.add_argument("mode", choices=("full", "day"))
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 24))
    args = parser.parse_args()
    timed, seconds = asyncio.run(profile(args.url, args.mode, args.today))
    for t in timed:
        print(f"{t.wall_ms:10.1f} ms wall {t.cpu_ms:8.0f} ms cpu  {t.statement}")
    cpu = sum(t.cpu_ms for t in timed)
    print(f"{seconds * 1000:10.1f} ms wall {cpu:8.0f} ms cpu  run ({args.mode})")


if __name__ == "__main__":
    main()
