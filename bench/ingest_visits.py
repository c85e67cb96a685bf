"""Time the ingestion of a large visits file, end to end.

Generates 1 importer, 200 workshops and 300,000 vehicles (loaded first, also
through ingestion), then a visits CSV of ``--rows`` rows, and times
``ingest_file`` on it: a first load (all rows new) and a second load of the same
file (all rows unchanged). Uses DATABASE_URL if set, else the embedded server
under .data/bench; either way in a fresh database of its own.

    .venv/bin/python -m bench.ingest_visits [--rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from server.db import make_engine, plain_url, start_embedded
from server.ingest import ingest_file
from server.migrate import upgrade

DATABASE = "insights_bench_ingest"
WORKSHOPS = 200
VEHICLES = 300_000
START = datetime(2025, 1, 1, tzinfo=UTC)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(plain_url(url))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _fresh_database(server_url: str) -> str:
    admin = await asyncpg.connect(_with_database(server_url, "postgres"))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    url = _with_database(server_url, DATABASE)
    await asyncio.to_thread(upgrade, url)
    return url


def _write(path: Path, header: list[str], rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _generate(folder: Path, visits: int) -> dict[str, Path]:
    rng = random.Random(7)
    files = {
        "importers": _write(
            folder / "importers.csv",
            ["importer_ref", "name", "timezone"],
            [["IMP", "Bench importer", "Europe/Copenhagen"]],
        ),
        "workshops": _write(
            folder / "workshops.csv",
            ["workshop_ref", "importer_ref", "name", "city"],
            ([f"W{i:03d}", "IMP", f"Workshop {i}", "Aarhus"] for i in range(WORKSHOPS)),
        ),
        "vehicles": _write(
            folder / "vehicles.csv",
            ["vin", "importer_ref", "make", "model", "model_year"],
            (
                [f"VIN{i:014d}", "IMP", "VW", rng.choice(("Golf", "Polo", "ID.3")), 2010 + i % 16]
                for i in range(VEHICLES)
            ),
        ),
    }

    def visit(i: int) -> list[str]:
        arrived = START + timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
        departed = arrived + timedelta(minutes=rng.randrange(30, 3 * 24 * 60))
        return [
            f"VISIT{i:09d}",
            f"W{rng.randrange(WORKSHOPS):03d}",
            f"VIN{rng.randrange(VEHICLES):014d}",
            arrived.isoformat(),
            departed.isoformat() if i % 20 else "",
        ]

    files["visits"] = _write(
        folder / "visits.csv",
        ["visit_ref", "workshop_ref", "vin", "arrived_at", "departed_at"],
        (visit(i) for i in range(visits)),
    )
    return files


async def _timed(engine, kind: str, path: Path) -> float:
    started = time.perf_counter()
    report = await ingest_file(engine, kind, path)
    seconds = time.perf_counter() - started
    if report.errors:
        raise SystemExit(f"{kind}: {len(report.errors)} errors, first {report.errors[:3]}")
    rate = report.accepted / seconds if seconds else float("inf")
    print(f"{kind:>10}: {report.accepted:>9,} rows in {seconds:6.2f} s = {rate:>9,.0f} rows/s")
    return rate


async def main(visits: int) -> None:
    server_url = os.environ.get("DATABASE_URL") or start_embedded(Path(".data/bench"))
    url = await _fresh_database(server_url)
    engine = make_engine(url, pool_size=2)
    try:
        with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
            started = time.perf_counter()
            files = _generate(Path(tmp), visits)
            print(f"generated {visits:,} visits in {time.perf_counter() - started:.1f} s")
            for kind in ("importers", "workshops", "vehicles"):
                await _timed(engine, kind, files[kind])
            await _timed(engine, "visits", files["visits"])
            print("again, unchanged:")
            await _timed(engine, "visits", files["visits"])
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="visits to generate")
    asyncio.run(main(parser.parse_args().rows))
