"""Run every benchmark and print the figures: ``python -m bench.run`` (``make bench``).

Three data sets, each in its own database on the benchmark's embedded
PostgreSQL (``bench/out/pg``), reused between runs while they still match:

- ``demo``: the demo data set, loaded through the ingestion path;
- ``activations``: 500 workshops x 365 days, generated set-based (bench/generate.py);
- ``partners``: 200 partners, 1,000,000 offers, 100 workshops x 365 days.

For each: generation (or load) time, a full and an incremental processing run,
then the dashboard scenarios (bench/dashboards.py). Figures are printed, and
written to ``bench/out/figures.md`` and ``bench/out/figures.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from bench import databases
from bench.dashboards import Scenario, Timing, measure
from bench.generate import IMPORTER_REF, PRESETS, TODAY, Shape, prepared
from bench.process import ProcessTimes, time_processing
from bench.queries import (
    ACTIVATIONS_DASHBOARD,
    ALL_PARTNER_DASHBOARDS,
    WORKSHOP_LIST,
    last_30_days,
    partner_dashboards,
)
from bench.report import render

SETS = ("demo", "activations", "partners")
ROLLUPS = (
    "workshop_day",
    "workshop_day_users",
    "workshop_stats",
    "partner_offer_day",
    "partner_cohort_day",
    "partner_open_leads",
    "partner_outflow_day",
)


@dataclass
class DataSet:
    name: str
    counts: dict[str, int]
    build_seconds: float | None  # None: reused
    build_kind: str  # "generated" | "ingested"
    process: ProcessTimes | None = None
    timings: list[Timing] = field(default_factory=list)


def scenarios_for(name: str, args: argparse.Namespace) -> list[Scenario]:
    if name == "demo":
        return [
            Scenario("activations dashboard, importer, 30 days + series",
                     ACTIVATIONS_DASHBOARD, "demo", last_30_days()),
            Scenario("workshops(first: 500) dashboards", WORKSHOP_LIST, "demo",
                     note="25 workshops"),
            Scenario("partner dashboard, 1 partner, all cards",
                     partner_dashboards(["DK-P01"]), "demo"),
        ]  # fmt: skip
    if name == "activations":
        return [
            Scenario("activations dashboard, importer, 30 days + series",
                     ACTIVATIONS_DASHBOARD, IMPORTER_REF, last_30_days(),
                     note=f"{args.workshops} workshops in workshopActivity"),
            Scenario("workshops(first: 500) dashboards", WORKSHOP_LIST, IMPORTER_REF,
                     note=f"{min(args.workshops, 500)} workshops"),
        ]  # fmt: skip
    some = min(50, args.partners)
    refs = [f"P{n:03d}" for n in range(1, some + 1)]
    return [
        Scenario("partner dashboard, 1 partner, all cards",
                 partner_dashboards(refs[:1]), IMPORTER_REF, note="P001, the busiest"),
        Scenario(f"partner dashboards, {some} partners (aliases), all cards",
                 partner_dashboards(refs), IMPORTER_REF),
        Scenario(f"partner dashboards, salesPartners (all {args.partners}), all cards",
                 ALL_PARTNER_DASHBOARDS, IMPORTER_REF),
    ]  # fmt: skip


async def _demo(server_url: str, fresh: bool) -> tuple[str, dict[str, int], float | None]:
    from server.db import make_engine
    from server.demo import DemoScale, load_demo

    name = "insights_bench_demo"
    params = {"demo": asdict(DemoScale()), "today": TODAY.isoformat(), "version": 1}
    url = databases.with_database(server_url, name)
    if not fresh and await databases.reusable(server_url, name, params):
        print(f"reusing {name}")
        return url, await databases.row_counts(url), None
    print(f"loading the demo into {name} (ingestion path)")
    url = await databases.fresh(server_url, name)
    engine = make_engine(url, pool_size=2)
    started = time.perf_counter()
    try:
        await load_demo(engine, end=TODAY - timedelta(days=1))
    finally:
        await engine.dispose()
    seconds = time.perf_counter() - started
    return url, await databases.record(server_url, name, params), seconds


def _shape(name: str, args: argparse.Namespace) -> Shape:
    if name == "activations":
        preset = PRESETS[name]  # leads (so offers) scale with workshop-days
        scale = args.workshops * args.days / (preset.workshops * preset.days)
        return replace(
            preset, workshops=args.workshops, days=args.days, offers=round(preset.offers * scale)
        )
    return replace(
        PRESETS[name],
        workshops=args.partner_workshops,
        days=args.days,
        partners=args.partners,
        offers=args.offers,
    )


async def _build(name: str, server_url: str, args: argparse.Namespace) -> tuple[str, DataSet]:
    if name == "demo":
        url, counts, seconds = await _demo(server_url, args.fresh)
        return url, DataSet(name, counts, seconds, "ingested")
    url, counts, steps = await prepared(
        server_url, f"insights_bench_{name}", _shape(name, args), fresh=args.fresh
    )
    return url, DataSet(name, counts, steps["total"] if steps else None, "generated")


async def _analyze_rollups(url: str) -> None:
    """What autovacuum would do soon after a processing run; done here so every
    run's plans see the same statistics."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for table in ROLLUPS:
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


async def _run_set(name: str, server_url: str, args: argparse.Namespace) -> DataSet:
    url, data = await _build(name, server_url, args)
    print(f"{name}: processing (full rebuild, then one touched day)")
    data.process = await time_processing(url, today=TODAY)
    print(
        f"  full {data.process.full_seconds:.1f} s,"
        f" incremental {data.process.incremental_seconds:.1f} s"
    )
    await _analyze_rollups(url)
    print(f"{name}: dashboards ({args.warmup} warm-up + {args.runs} timed runs each)")
    data.timings = await measure(
        url,
        scenarios_for(name, args),
        data_set=name,
        today=TODAY,
        warmup=args.warmup,
        runs=args.runs,
    )
    return data


async def _run(args: argparse.Namespace) -> None:
    server_url = databases.start_server()
    settings = await databases.server_settings(server_url)
    started = time.perf_counter()
    results = [await _run_set(name, server_url, args) for name in args.sets]
    wall = time.perf_counter() - started
    meta: dict[str, Any] = {
        "measured": date.today().isoformat(),
        "today": TODAY.isoformat(),
        "postgres": settings,
        "wall_seconds": round(wall, 1),
        "command": "python -m bench.run " + " ".join(args.argv),
        "code": _code_version(),
    }
    text = render(results, meta)
    print()
    print(text)
    databases.OUT.mkdir(parents=True, exist_ok=True)
    (databases.OUT / "figures.md").write_text(text + "\n", encoding="utf-8")
    payload = {"meta": meta, "sets": [asdict(r) for r in results]}
    (databases.OUT / "figures.json").write_text(
        json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8"
    )


def _code_version() -> str:
    """The commit measured, and whether server/ had uncommitted changes (read-only git)."""
    root = databases.OUT.parent.parent

    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "server")
    return commit + (" + uncommitted server/ changes" if dirty else "")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run every benchmark and print the figures.")
    parser.add_argument("--workshops", type=int, default=500, help="activations set")
    parser.add_argument("--days", type=int, default=365, help="both generated sets")
    parser.add_argument("--partners", type=int, default=200, help="partners set")
    parser.add_argument("--offers", type=int, default=1_000_000, help="partners set")
    parser.add_argument("--partner-workshops", type=int, default=100, help="partners set")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--fresh", action="store_true", help="regenerate every data set")
    args = parser.parse_args(argv)
    args.argv = argv if argv is not None else __import__("sys").argv[1:]
    return args


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_run(arguments(argv)))


if __name__ == "__main__":
    main()
