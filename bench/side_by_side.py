"""``insights bench``: the product and PostGraphile side by side in one run.

On a generated set (bench/generate.py, kept between runs in bench/out/pg) it
times processing (full and one dirty day) and ingestion (new visits against a
plain COPY), starts ``insights serve`` as in production and PostGraphile 4 on the
same database, and for each canonical request (bench/canonical.py) reports over
HTTP p50/p95/p99, the 1st-5th and 20th request, statements per request, and the
ratio to the one-statement floor. ``--quick`` (a small set, no throughput) runs
in a few minutes; the full run adds throughput at 1/8/32 clients with 1 and 2
workers. ``--chart`` draws latency against scale from result files.

    insights bench --quick --out bench/out/quick.json [--chart bench/out/quick.png]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text

from bench import databases
from bench.canonical import (
    FLOOR_LEADS_PER_WORKSHOP,
    RAW_LEADS_PER_WORKSHOP,
    Periods,
    Request,
    floor_args,
    peer_leads_per_workshop,
    requests,
)
from bench.dashboards import Scenario, recording, serving
from bench.generate import IMPORTER_REF, TODAY, Shape, prepared
from bench.http_timing import RequestFailed, sequence, summary, throughput
from bench.ingest_speed import measure_ingest
from bench.process import time_processing
from bench.servers import (
    BENCH_SECRET,
    ServerFailed,
    insights,
    install_peer,
    postgraphile,
    wait_warm,
)

QUICK = Shape(workshops=60, days=120, partners=50, offers=40_000, vehicles_per_workshop=600)
FULL = Shape(workshops=2000, days=730, partners=200, offers=4_000_000)
FIRST = 5  # the first requests after start, reported apart from the percentiles
IMPORTER_ID = 1  # bench/generate.py's one importer
WARM_WAIT_S = 900.0  # how long a server may take to load its distinct-count copies


@dataclass
class Options:
    shape: Shape
    runs: int
    clients: list[int]
    workers: list[int]
    throughput_seconds: float
    ingest_rows: int
    peer: bool
    fresh: bool
    notes: dict[str, Any] = field(default_factory=dict)


def result_json(
    *,
    scale: dict[str, Any],
    queries: dict[str, dict[str, Any]],
    peer_ratio: float | None,
    rollup_speedup: float | None,
    ingest_rows_per_s: float | None,
    process_day_s: float | None,
    notes: dict[str, Any],
) -> dict[str, Any]:
    """The result document, in the one shape every consumer reads.

    Each query has exactly p50_ms, p95_ms, p99_ms, statements and floor_ratio; a
    figure that could not be measured is null and ``notes`` says why.
    """
    keys = ("p50_ms", "p95_ms", "p99_ms", "statements", "floor_ratio")
    return {
        "scale": scale,
        "queries": {name: {k: figures.get(k) for k in keys} for name, figures in queries.items()},
        "peer_ratio": peer_ratio,
        "rollup_speedup": rollup_speedup,
        "ingest_rows_per_s": ingest_rows_per_s,
        "process_day_s": process_day_s,
        "notes": notes,
    }


def _token() -> str:
    from server.auth.principal import Role
    from server.auth.tokens import mint_token
    from server.config import Settings

    settings = Settings(jwt_secret=BENCH_SECRET, _env_file=None)
    return mint_token(settings, role=Role.IMPORTER, importer=IMPORTER_REF, sub="bench")


async def _sql_p50(url: str, sql: str, args: list[Any], runs: int) -> float:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET plan_cache_mode = force_custom_plan")
        times = []
        for _ in range(2 + runs):
            started = time.perf_counter()
            await conn.fetch(sql, *args)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times[2:])
    finally:
        await conn.close()


async def _statement_counts(url: str, reqs: list[Request]) -> dict[str, int]:
    """Statements of one request each, counted in-process on the same app code."""
    counts = {}
    async with serving(url, today=TODAY) as app:
        for req in reqs:
            scenario = Scenario(req.name, req.query, IMPORTER_REF)
            jwt = app.token(scenario)
            await app.post(scenario, jwt)
            with recording(app.engine) as seen:
                await app.post(scenario, jwt)
            counts[req.name] = len(seen)
    return counts


async def _latencies(
    base_url: str, reqs: list[Request], runs: int, say: Callable[[str], None]
) -> tuple[dict[str, list[float]], dict[str, str]]:
    token = _token()
    timings: dict[str, list[float]] = {}
    failures: dict[str, str] = {}
    for req in reqs:
        try:
            timings[req.name] = await sequence(base_url + "/graphql", req.query, token, runs)
        except RequestFailed as failed:
            failures[req.name] = str(failed)
            say(f"  {req.name}: FAILED {failed}")
            continue
        warm = summary(timings[req.name][FIRST:])
        say(f"  {req.name}: p50 {warm['p50_ms']} ms, p95 {warm['p95_ms']} ms")
    return timings, failures


async def _peer(url: str, periods: Periods, ours_b: float | None, runs: int) -> dict[str, Any]:
    """PostGraphile on (b): its p50 and the ratio to ours, or why there is none."""
    problem = await asyncio.to_thread(install_peer)
    if problem:
        return {"peer_ratio": None, "reason": problem}
    query = peer_leads_per_workshop(periods)
    try:
        with postgraphile(url) as peer:
            times = await sequence(peer.base_url + "/graphql", query, None, runs + 3)
            answer = (await asyncio.to_thread(
                httpx.post, peer.base_url + "/graphql", json={"query": query}, timeout=60
            )).json()["data"]  # fmt: skip
    except (ServerFailed, RequestFailed, OSError, httpx.HTTPError) as failed:
        return {"peer_ratio": None, "reason": f"PostGraphile failed: {str(failed)[:400]}"}
    same = _peer_counts(answer) == await _floor_counts(url, periods)
    p50 = statistics.median(times[3:])
    ratio = round(p50 / ours_b, 2) if ours_b and same else None
    result = {"peer_ratio": ratio, "peer_b_p50_ms": round(p50, 2), "peer_query": query}
    result["same_answer_as_floor"] = same
    if not same:
        result["reason"] = "PostGraphile's (b) differs from the floor's: no ratio"
    return result


def _peer_counts(data: dict[str, Any]) -> dict[tuple[int, str], int]:
    """(workshop id, period) -> leads, from PostGraphile's grouped answer."""
    return {
        (int(group["keys"][0]), period): int(group["distinctCount"]["id"])
        for period in ("current", "previous")
        for group in data[period]["groupedAggregates"]
        if int(group["distinctCount"]["id"])
    }


async def _our_counts(base_url: str, req: Request) -> dict[tuple[int, str], int]:
    """(workshop id, period) -> leads, from our answer to (b) (W0001 is id 1)."""
    async with httpx.AsyncClient(timeout=120) as client:
        response = await client.post(
            base_url + "/graphql",
            json={"query": req.query},
            headers={"Authorization": f"Bearer {_token()}"},
        )
    counts = {}
    for page in response.json()["data"].values():
        for node in page["nodes"]:
            leads = node["dashboard"]["leadsCreated"]
            workshop = int(node["id"].lstrip("W"))
            for period, n in (
                ("current", leads["value"]),
                ("previous", leads["trend"]["previous"]),
            ):
                if n:
                    counts[(workshop, period)] = int(n)
    return counts


async def _floor_counts(url: str, periods: Periods) -> dict[tuple[int, str], int]:
    """The same from the one-statement floor over workshop_day."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(FLOOR_LEADS_PER_WORKSHOP, IMPORTER_ID, *periods.dates())
    finally:
        await conn.close()
    counts = {}
    for workshop, current, previous in rows:
        for period, n in (("current", current), ("previous", previous)):
            if n:
                counts[(int(workshop), period)] = int(n)
    return counts


async def _cold_after_processing(url: str, base_url: str, req: Request) -> float:
    """The first request after a one-day processing run bumped the data version."""
    from server.db import make_engine
    from server.processing.job import run_processing

    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO dirty_days (importer_id, domain, day)"
                    " VALUES (:i, 'workshop', :d), (:i, 'partner', :d) ON CONFLICT DO NOTHING"
                ),
                {"i": IMPORTER_ID, "d": TODAY - timedelta(days=5)},
            )
        await run_processing(engine, today=TODAY)
    finally:
        await engine.dispose()
    return round((await sequence(base_url + "/graphql", req.query, _token(), 1))[0], 2)


async def _throughput(
    url: str, opts: Options, reqs: list[Request], say: Callable[[str], None]
) -> list[dict[str, Any]]:
    chosen = [r for r in reqs if r.name in ("one_workshop_dashboard", "a_importer_dashboard")]
    rows: list[dict[str, Any]] = []
    for workers in opts.workers:
        with insights(url, today=TODAY, workers=workers) as server:
            warm = await asyncio.to_thread(wait_warm, server, WARM_WAIT_S, 4 * workers)
            rows.append({"workers": workers, "warm_after_start_s": warm})
            for req in chosen:
                for clients in opts.clients:
                    try:
                        await sequence(server.base_url + "/graphql", req.query, _token(), 3)
                        done = await throughput(
                            server.base_url + "/graphql",
                            req.query,
                            _token(),
                            clients=clients,
                            seconds=opts.throughput_seconds,
                        )
                    except RequestFailed as failed:  # one failed step must not lose the run
                        rows.append({"query": req.name, "workers": workers, "clients": clients,
                                     "failed": str(failed)})  # fmt: skip
                        say(f"  {req.name}, {workers} worker(s), {clients} clients: {failed}")
                        continue
                    rows.append({"query": req.name, "workers": workers, **asdict(done)})
                    say(f"  {req.name}, {workers} worker(s), {clients} clients: "
                        f"{done.per_second} req/s, p99 {done.p99_ms} ms")  # fmt: skip
            rows.append({"workers": workers, "rss_mib": server.rss_mib()})
    return rows


async def run(
    opts: Options, say: Callable[[str], None] = print, *, server_url: str | None = None
) -> dict[str, Any]:
    """One side-by-side run; the result document (see ``result_json``).

    ``server_url``: the PostgreSQL server to generate on (default: the bench's own
    embedded one in bench/out/pg).
    """
    started = time.perf_counter()
    shape = opts.shape
    notes: dict[str, Any] = dict(opts.notes)
    server_url = server_url or databases.start_server()
    name = f"insights_bench_sbs_{shape.workshops}x{shape.days}"
    url, counts, generated = await prepared(server_url, name, shape, fresh=opts.fresh, say=say)
    notes["rows"] = sum(counts.values())
    notes["generate_s"] = round(generated["total"], 1) if generated else "reused"
    notes["postgres"] = await databases.server_settings(url)

    say("processing: full, then one dirty day")
    process = await time_processing(url, today=TODAY)
    notes["process_full_s"] = round(process.full_seconds, 2)
    say(f"  full {process.full_seconds:.1f} s, one day {process.incremental_seconds:.2f} s")

    say(f"ingest: {opts.ingest_rows:,} new visits, then a plain COPY of the same file")
    ingest = await measure_ingest(
        url,
        rows=opts.ingest_rows,
        workshops=shape.workshops,
        vehicles=shape.workshops * shape.vehicles_per_workshop,
    )
    notes["ingest"] = asdict(ingest)
    say(f"  {ingest.insights_rows_per_s:,} rows/s (plain COPY {ingest.plain_copy_rows_per_s:,})")

    reqs = requests(shape.workshops, shape.partners)
    periods = Periods.last_30_days(TODAY - timedelta(days=1))
    say(f"insights serve (production settings): {opts.runs} requests per query over HTTP")
    by_name = {r.name: r for r in reqs}
    with insights(url, today=TODAY) as server:
        first = by_name["a_importer_dashboard"]
        try:  # before the copies are warm: the SQL fallback
            cold = await sequence(server.base_url + "/graphql", first.query, _token(), 1)
            notes["cold_after_start_ms"] = {first.name: round(cold[0], 2)}
        except RequestFailed as failed:
            notes["cold_after_start_ms"] = {first.name: str(failed)}
        warm = await asyncio.to_thread(wait_warm, server, WARM_WAIT_S)
        notes["warm_after_start_s"] = warm
        say(f"  first (a) after start: {notes['cold_after_start_ms'][first.name]} ms;"
            f" copies warm after {warm} s")  # fmt: skip
        timings, failures = await _latencies(server.base_url, reqs, opts.runs, say)
        notes["rss_mib_after_requests"] = server.rss_mib()
        ours = await _our_counts(server.base_url, by_name["b_leads_per_workshop"])
        notes["b_same_answer_as_floor"] = ours == await _floor_counts(url, periods)
        notes["cold_after_processing_ms"] = {
            "a_importer_dashboard": await _cold_after_processing(
                url, server.base_url, by_name["a_importer_dashboard"]
            )
        }
    if failures:
        notes["failed"] = failures
    notes["first_requests_ms"] = {n: [round(t, 2) for t in ts[:FIRST]] for n, ts in timings.items()}
    notes["request_20_ms"] = {n: round(ts[19], 2) for n, ts in timings.items() if len(ts) >= 20}
    notes["percentiles_over"] = f"requests {FIRST + 1}-{opts.runs} of each query"

    statements = await _statement_counts(url, reqs)
    queries: dict[str, dict[str, Any]] = {}
    floors: dict[str, float] = {}
    for req in reqs:
        figures: dict[str, Any] = {"statements": statements.get(req.name)}
        if req.name in timings:
            figures.update(summary(timings[req.name][FIRST:]))
        if req.floor is not None:
            args = floor_args(req, IMPORTER_ID, periods, min(500, shape.workshops))
            floors[req.name] = round(await _sql_p50(url, req.floor, args, opts.runs), 2)
            if figures.get("p50_ms"):
                figures["floor_ratio"] = round(figures["p50_ms"] / floors[req.name], 2)
        queries[req.name] = figures
    notes["floor_p50_ms"] = floors
    notes["floor"] = (
        "one SQL statement over the same rollup tables: the same numbers for (a), (b), (c)"
        " and one workshop; for the partner dashboards the same rollup rows summed per card"
    )
    notes["no_floor"] = [r.name for r in reqs if r.floor is None]

    raw_args = [IMPORTER_ID, *periods.instants()]
    raw = await _sql_p50(url, RAW_LEADS_PER_WORKSHOP, raw_args, opts.runs)
    rollup = floors.get("b_leads_per_workshop")
    rollup_speedup = round(raw / rollup, 2) if rollup else None
    notes["rollup_speedup"] = f"(b) from raw leads {raw:.2f} ms / from workshop_day {rollup} ms"

    peer_ratio = None
    if opts.peer:
        say("PostGraphile 4 + pg-aggregates on the same database: (b)")
        peer = await _peer(url, periods, queries["b_leads_per_workshop"].get("p50_ms"), opts.runs)
        peer_ratio = peer.pop("peer_ratio")
        notes["peer"] = peer
        say(f"  peer_ratio {peer_ratio} {peer.get('reason', '')}")
    else:
        notes["peer"] = {"reason": "--no-peer"}

    if opts.clients:
        say("throughput")
        notes["throughput"] = await _throughput(url, opts, reqs, say)
    notes["load_average"] = os.getloadavg()[0]
    notes["wall_s"] = round(time.perf_counter() - started, 1)
    scale = {**shape.params(), "counts": counts}
    return result_json(
        scale=scale,
        queries=queries,
        peer_ratio=peer_ratio,
        rollup_speedup=rollup_speedup,
        ingest_rows_per_s=ingest.insights_rows_per_s,
        process_day_s=round(process.incremental_seconds, 2),
        notes=notes,
    )


def write_result(result: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")


def options(argv: list[str]) -> tuple[Options, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog="insights bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small set, no throughput")
    parser.add_argument("--out", type=Path, help="write the result JSON here")
    parser.add_argument("--chart", type=Path, help="draw latency against scale (PNG)")
    parser.add_argument("--inputs", type=Path, nargs="*", default=[], help="results to chart")
    parser.add_argument("--workshops", type=int)
    parser.add_argument("--days", type=int)
    parser.add_argument("--partners", type=int)
    parser.add_argument("--offers", type=int)
    parser.add_argument("--runs", type=int, help="requests per query (default 25)")
    parser.add_argument("--clients", type=int, nargs="*", help="throughput (full: 1 8 32)")
    parser.add_argument("--workers", type=int, nargs="*", help="throughput (full: 1 2)")
    parser.add_argument("--throughput-seconds", type=float, default=10.0)
    parser.add_argument("--ingest-rows", type=int, help="new visits (quick 20,000; full 1 M)")
    parser.add_argument("--no-peer", action="store_true", help="skip PostGraphile")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data set")
    parser.add_argument(
        "--scales",
        nargs="*",
        default=[],
        metavar="WxD",
        help="growth: one run per scale (e.g. 100x365 500x365 2000x730), each its own JSON",
    )
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    shape = Shape(
        workshops=args.workshops or base.workshops,
        days=args.days or base.days,
        partners=args.partners or base.partners,
        offers=args.offers or base.offers,
        vehicles_per_workshop=base.vehicles_per_workshop,
    )
    clients = args.clients if args.clients is not None else ([] if args.quick else [1, 8, 32])
    workers = args.workers if args.workers is not None else [1, 2]
    opts = Options(
        shape=shape,
        runs=max(20, args.runs or 25),
        clients=clients,
        workers=workers,
        throughput_seconds=args.throughput_seconds,
        ingest_rows=args.ingest_rows or (20_000 if args.quick else 1_000_000),
        peer=not args.no_peer,
        fresh=args.fresh,
        notes={"mode": "quick" if args.quick else "full", "measured": date.today().isoformat()},
    )
    return opts, args


def _scale(text: str) -> tuple[int, int]:
    workshops, _, days = text.lower().partition("x")
    return int(workshops), int(days)


def main(argv: list[str]) -> None:
    for chatty in ("httpx", "matplotlib", "server.processing.job"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    opts, args = options(argv)
    inputs = list(args.inputs)
    out = args.out or databases.OUT / "bench.json"
    if args.scales:  # growth: the same run at each scale, one file each
        for text in args.scales:
            workshops, days = _scale(text)
            opts.shape = replace(opts.shape, workshops=workshops, days=days)
            path = out.with_name(f"{out.stem}-{workshops}x{days}{out.suffix}")
            write_result(asyncio.run(run(opts)), path)
            print(f"wrote {path}")
            inputs.append(path)
    elif not (args.chart and inputs and not args.out):
        write_result(asyncio.run(run(opts)), out)
        print(f"wrote {out}")
        inputs.append(out)
    if args.chart:
        from bench.chart import draw

        draw([json.loads(p.read_text(encoding="utf-8")) for p in inputs], args.chart)
        print(f"wrote {args.chart}")
