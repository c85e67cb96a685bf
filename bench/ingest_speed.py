"""Ingest speed against the floor: new visits through ``ingest_file`` (parse, check,
stage, write, mark days) versus a plain ``COPY`` of the same file into a bare
typed table. The rows are removed again afterwards so the generated data set
stays reusable."""

from __future__ import annotations

import csv
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bench.canonical import workshop_ref
from server.db import make_engine
from server.ingest import ingest_file

PREFIX = "BENCHNEW"


@dataclass(frozen=True)
class IngestSpeed:
    rows: int
    insights_rows_per_s: float
    plain_copy_rows_per_s: float


def _write_visits(path: Path, rows: int, workshops: int, vehicles: int) -> None:
    rng = random.Random(11)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["visit_ref", "workshop_ref", "vin", "arrived_at", "departed_at"])
        for i in range(rows):
            arrived = start + timedelta(minutes=rng.randrange(0, 150 * 24 * 60))
            departed = arrived + timedelta(minutes=rng.randrange(30, 2 * 24 * 60))
            writer.writerow(
                [
                    f"{PREFIX}{i:09d}",
                    workshop_ref(1 + rng.randrange(workshops)),
                    "WVW" + f"{1 + rng.randrange(vehicles)}".zfill(14),
                    arrived.isoformat(),
                    departed.isoformat(),
                ]
            )


async def _plain_copy(url: str, path: Path) -> float:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            """CREATE TEMP TABLE bare_visits (visit_ref text, workshop_ref text, vin text,
                   arrived_at timestamptz, departed_at timestamptz)"""
        )
        started = time.perf_counter()
        await conn.copy_to_table("bare_visits", source=path, format="csv", header=True)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _remove(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"DELETE FROM visits WHERE visit_ref LIKE '{PREFIX}%'")
        await conn.execute("DELETE FROM dirty_days")
    finally:
        await conn.close()


async def measure_ingest(url: str, *, rows: int, workshops: int, vehicles: int) -> IngestSpeed:
    """Time ``rows`` new visits through ingestion and through a plain COPY."""
    with tempfile.TemporaryDirectory(prefix="insights-bench-") as folder:
        path = Path(folder) / "visits.csv"
        _write_visits(path, rows, workshops, vehicles)
        engine = make_engine(url, pool_size=1)
        try:
            started = time.perf_counter()
            report = await ingest_file(engine, "visits", path)
            ours = time.perf_counter() - started
        finally:
            await engine.dispose()
        try:
            if report.errors:
                raise RuntimeError(f"bench visits refused: {report.errors[:3]}")
            copy = await _plain_copy(url, path)
        finally:
            await _remove(url)
    return IngestSpeed(rows, round(rows / ours), round(rows / copy))
