"""The figures as Markdown tables (printed, and pasted into bench/README.md)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

from bench.dashboards import Timing
from bench.process import ProcessTimes


class _DataSet(Protocol):
    name: str
    counts: dict[str, int]
    build_seconds: float | None
    build_kind: str
    process: ProcessTimes | None
    timings: list[Timing]


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "reused" if value is None else f"{value:,.1f}"


def render(sets: Sequence[_DataSet], meta: dict[str, Any]) -> str:
    pg = meta["postgres"]
    intro = (
        f"Measured {meta['measured']} (INSIGHTS_TODAY {meta['today']}), {os.cpu_count()} cores,"
        f" PostgreSQL {pg.get('server_version', '?')} embedded (shared_buffers"
        f" {pg.get('shared_buffers', '?')}, work_mem {pg.get('work_mem', '?')},"
        f" jit {pg.get('jit', '?')}); whole run {meta['wall_seconds']:,.0f} s."
        f"\nCode: {meta['code']}. Command: `{meta['command'].strip()}`"
    )
    data_sets = _table(
        ["set", "rows", "built", "build s", "process full s", "process 1 day s"],
        [
            (
                s.name,
                f"{sum(s.counts.values()):,}",
                s.build_kind,
                _seconds(s.build_seconds),
                f"{s.process.full_seconds:,.1f}" if s.process else "-",
                f"{s.process.incremental_seconds:,.1f}" if s.process else "-",
            )
            for s in sets
        ],
    )
    dashboards = _table(
        [
            "set",
            "scenario",
            "p50 ms",
            "p95 ms",
            "statements",
            "SQL ms alone",
            "slowest stmt ms",
            "load",
            "note",
        ],
        [
            (
                t.data_set,
                t.scenario,
                f"{t.p50_ms:,.1f}",
                f"{t.p95_ms:,.1f}",
                t.statements,
                f"{t.sql_ms:,.1f}",
                f"{t.slowest_statement_ms:,.1f}",
                f"{t.load:.1f}",
                t.note,
            )
            for s in sets
            for t in s.timings
        ],
    )
    tables = sorted({table for s in sets for table in s.counts})
    counts = _table(
        ["table", *(s.name for s in sets)],
        [(table, *(f"{s.counts.get(table, 0):,}" for s in sets)) for table in tables],
    )
    slowest = "\n".join(
        f"- {t.data_set} / {t.scenario}: {t.slowest_statement_ms:,.1f} ms `{t.slowest_statement}`"
        for s in sets
        for t in s.timings
    )
    return "\n\n".join(
        [
            intro,
            "Data sets and processing:\n\n" + data_sets,
            "Dashboards (in-process, one client):\n\n" + dashboards,
            "Row counts:\n\n" + counts,
            "Slowest statement of one request (replayed alone):\n\n" + slowest,
        ]
    )
