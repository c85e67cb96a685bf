"""`insights bench`: the result document keeps its documented shape, and a tiny
run goes through every step (generate, process, ingest, `insights serve` in a
subprocess over HTTP, floors, statements) and draws its chart.

The real `--quick` run takes minutes, too slow here; the tiny run uses the same
code on 3 workshops x 10 days without PostGraphile (its npm install needs the
network). Figures are not asserted: they depend on the machine.
"""

from __future__ import annotations

import json
import math

import asyncpg

from bench import databases
from bench.chart import draw
from bench.side_by_side import options, result_json, run, write_result

TOP = {
    "scale",
    "queries",
    "peer_ratio",
    "rollup_speedup",
    "ingest_rows_per_s",
    "process_day_s",
    "notes",
}
PER_QUERY = {"p50_ms", "p95_ms", "p99_ms", "statements", "floor_ratio"}


def test_the_result_has_exactly_the_documented_keys(tmp_path):
    result = result_json(
        scale={"workshops": 1},
        queries={"q": {"p50_ms": 1.0, "statements": 3, "sql_ms": 9.0}},
        peer_ratio=None,
        rollup_speedup=2.0,
        ingest_rows_per_s=10.0,
        process_day_s=0.5,
        notes={"peer": {"reason": "--no-peer"}},
    )
    assert set(result) == TOP
    assert result["queries"] == {
        "q": {"p50_ms": 1.0, "p95_ms": None, "p99_ms": None, "statements": 3, "floor_ratio": None}
    }
    write_result(result, tmp_path / "out" / "r.json")
    assert json.loads((tmp_path / "out" / "r.json").read_text()) == result


async def test_a_tiny_run_measures_every_request_and_charts_it(server_url, tmp_path):
    tiny = "--quick --workshops 3 --days 40 --partners 8 --offers 300 --runs 20"
    opts, _ = options([*tiny.split(), "--ingest-rows", "50", "--no-peer", "--fresh"])
    try:
        result = await run(opts, say=lambda _: None, server_url=server_url)
    finally:
        admin = await asyncpg.connect(databases.with_database(server_url, "postgres"))
        try:
            await admin.execute("DROP DATABASE IF EXISTS insights_bench_sbs_3x40 WITH (FORCE)")
        finally:
            await admin.close()
    assert set(result) == TOP
    assert result["scale"]["workshops"] == 3
    assert len(result["queries"]) == 7
    for name, figures in result["queries"].items():
        assert set(figures) == PER_QUERY, name
        assert figures["p50_ms"] > 0 and figures["statements"] > 0, name
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"], name
    assert "failed" not in result["notes"]
    assert result["notes"]["b_same_answer_as_floor"] is True
    assert result["peer_ratio"] is None and result["notes"]["peer"]["reason"]
    floors = [f["floor_ratio"] for f in result["queries"].values() if f["floor_ratio"]]
    assert len(floors) == 7 and all(math.isfinite(r) for r in floors)
    assert result["ingest_rows_per_s"] > 0 and result["notes"]["ingest"]["plain_copy_rows_per_s"]
    assert result["process_day_s"] >= 0
    assert all(len(v) == 5 for v in result["notes"]["first_requests_ms"].values())
    draw([result], tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
