"""Where one dashboard request spends its time: cProfile over a few requests.

    python -m bench.profile --set activations --scenario 2 [--runs 5] [--top 25] [--explain]

Scenarios are numbered as ``python -m bench.run`` lists them per set (from 1).
The data set must exist already (``python -m bench.run --sets <set>`` builds and
processes it). Prints the functions with the most time of their own, and the
SQL statements of one request with their times, and with ``--explain`` the
plan of the slowest one (EXPLAIN ANALYZE, BUFFERS).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats

import asyncpg

from bench import databases
from bench.dashboards import checked, recording, replayed, serving
from bench.generate import TODAY
from bench.run import SETS, arguments, scenarios_for


async def _profile(name: str, number: int, runs: int, top: int, explain: bool) -> None:
    server_url = databases.start_server()
    url = databases.with_database(server_url, f"insights_bench_{name}")
    scenario = scenarios_for(name, arguments([]))[number - 1]
    print(f"{name} / {scenario.name}: {runs} requests under cProfile")
    async with serving(url, today=TODAY) as app:
        jwt = app.token(scenario)
        checked(await app.post(scenario, jwt), scenario)  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            checked(await app.post(scenario, jwt), scenario)
        profiler.disable()
        with recording(app.engine) as statements:
            checked(await app.post(scenario, jwt), scenario)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue())
    alone = await replayed(url, statements)
    print("  in request |  alone  | statement")
    for inside, by_itself in zip(statements, alone, strict=True):
        sql = " ".join(inside.sql.split())[:120]
        print(f"{inside.ms:9.1f} ms {by_itself.ms:7.1f} ms  {sql}")
    if explain and statements:
        slowest = max(alone)
        conn = await asyncpg.connect(url)
        try:
            plan = await conn.fetch(
                "EXPLAIN (ANALYZE, BUFFERS) " + slowest.sql, *slowest.parameters
            )
        finally:
            await conn.close()
        print(f"\nEXPLAIN ANALYZE of the slowest ({slowest.ms:.1f} ms):")
        print("\n".join(row[0] for row in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description="Profile one dashboard scenario.")
    parser.add_argument("--set", choices=SETS, default="activations")
    parser.add_argument("--scenario", type=int, default=1, help="1-based, as bench.run lists")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest")
    args = parser.parse_args()
    asyncio.run(_profile(args.set, args.scenario, args.runs, args.top, args.explain))


if __name__ == "__main__":
    main()
