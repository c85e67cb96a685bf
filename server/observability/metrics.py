"""Prometheus metrics at ``GET /metrics``.

Per request (from the request record): requests by route, GraphQL operation and
error code; latency; SQL statements per request; connections the pool has out.
Per ingest call: rows accepted and rejected by kind. Read from the database at
scrape time, because processing also runs outside this process (cron): runs per
importer, when the last one finished, and how old each importer's newest
processed day is.

With several uvicorn workers each process keeps its own numbers; ``insights
serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before any worker imports this module,
and a scrape of any worker then adds up the files of all of them.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from server.clock import today_in
from server.http.errors import error_response
from server.ingest import IngestReport
from server.observability.record import RequestRecord

REQUESTS = Counter(
    "insights_requests",
    "HTTP requests by route, GraphQL operation and error code (OK when none).",
    ["route", "operation", "code"],
)
LATENCY = Histogram(
    "insights_request_duration_seconds",
    "Time from the first byte in to the last byte out.",
    ["route", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
SQL_STATEMENTS = Histogram(
    "insights_request_sql_statements",
    "SQL statements one request sent (constant per query shape by design).",
    ["route"],
    buckets=(0, 1, 2, 4, 8, 16, 32, 64, 128),
)
POOL_IN_USE = Gauge(
    "insights_db_pool_connections_in_use",
    "Database connections checked out of the pool, after the latest request.",
    multiprocess_mode="livesum",
)
INGEST_ROWS = Counter(
    "insights_ingest_rows",
    "Rows of ingest calls (HTTP and GraphQL), by kind and outcome (accepted/rejected).",
    ["kind", "outcome"],
)

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_MAX_OPERATIONS = 200
_operations: set[str] = set()


def _operation_label(record: RequestRecord) -> str:
    """A bounded label: operation names are chosen by clients, so only the first
    few hundred distinct ones get their own series, the rest share "other"."""
    if record.route != "/graphql":
        return ""
    name = record.operation
    if not name or not _NAME.fullmatch(name):
        return "anonymous" if record.operation_type else "none"
    if name not in _operations:
        if len(_operations) >= _MAX_OPERATIONS:
            return "other"
        _operations.add(name)
    return name


def observe_request(record: RequestRecord) -> None:
    if record.route == "/metrics":
        return
    operation = _operation_label(record)
    code = record.error_codes[0] if record.error_codes else ("OK" if record.status < 400 else "")
    if not code:
        code = "INTERNAL" if record.internal else f"HTTP_{record.status}"
    REQUESTS.labels(record.route, operation, code).inc()
    LATENCY.labels(record.route, operation).observe(record.duration_seconds)
    SQL_STATEMENTS.labels(record.route).observe(record.sql_statements)


def observe_pool(engine: AsyncEngine) -> None:
    checkedout = getattr(engine.pool, "checkedout", None)
    if checkedout is not None:
        POOL_IN_USE.set(checkedout())


def observe_ingest(report: IngestReport) -> None:
    """Count an ingest call's rows; a row with several errors is one rejected row."""
    INGEST_ROWS.labels(report.kind, "accepted").inc(report.accepted)
    rejected = len({error.line for error in report.errors})
    if rejected:
        INGEST_ROWS.labels(report.kind, "rejected").inc(rejected)


@dataclass(frozen=True)
class _Processing:
    importer: str
    timezone: str
    processed_through: date | None
    processed_at: datetime | None
    runs: int


class _Snapshot(Collector):
    """Database-derived metrics, read once per scrape."""

    def __init__(self, rows: list[_Processing] | None, today: date | None) -> None:
        self.rows = rows
        self.today = today

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("insights_database_up", "1 when /metrics could read the database.")
        up.add_metric([], 0 if self.rows is None else 1)
        yield up
        if self.rows is None:
            return
        runs = CounterMetricFamily(
            "insights_processing_runs",
            "Processing runs that finished, per importer (all processes, cron included).",
            labels=["importer"],
        )
        finished = GaugeMetricFamily(
            "insights_processing_last_run_timestamp_seconds",
            "When the latest processing run of the importer finished (Unix time).",
            labels=["importer"],
        )
        age = GaugeMetricFamily(
            "insights_processing_newest_day_age_days",
            "Days between the importer's local today and its newest processed day.",
            labels=["importer"],
        )
        for row in self.rows:
            runs.add_metric([row.importer], row.runs)
            if row.processed_at is not None:
                finished.add_metric([row.importer], row.processed_at.timestamp())
            if row.processed_through is not None:
                today = today_in(row.timezone, self.today)
                age.add_metric([row.importer], (today - row.processed_through).days)
        yield runs
        yield finished
        yield age


async def _processing(engine: AsyncEngine) -> list[_Processing] | None:
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT i.importer_ref, i.timezone, s.processed_through, s.processed_at,"
                    " coalesce(s.data_version, 0) FROM importers i"
                    " LEFT JOIN processing_state s ON s.importer_id = i.id ORDER BY 1"
                )
            )
            return [_Processing(*row) for row in rows.all()]
    except Exception:  # a scrape during an outage still answers, with database_up 0
        return None


def _authorised(request: Request, token: str | None) -> bool:
    if not token:
        return True
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics`` in the Prometheus text format; with ``INSIGHTS_METRICS_TOKEN``
    set, only for ``Authorization: Bearer <that token>``."""
    state = request.app.state.insights
    if not _authorised(request, state.settings.metrics_token):
        message = "send 'Authorization: Bearer <INSIGHTS_METRICS_TOKEN>'"
        return error_response(401, "UNAUTHENTICATED", message)
    observe_pool(state.engine)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Everything())
    registry.register(_Snapshot(await _processing(state.engine), state.settings.today))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _Everything(Collector):
    """The process's default registry, inside a per-scrape registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()
