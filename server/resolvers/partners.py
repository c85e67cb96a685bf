"""Data access for the Sales-partner dashboard: one SQL statement per rollup
family for many partners at once (partner_offer_day, partner_cohort_day,
partner_open_leads, partner_outflow_day).

Every statement takes the partners as one array, carries the importer id (Citus
co-location), applies the lead filters to the rollups' filter dimensions, and
reads the current and the previous period together (two day ranges).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.metrics.daytable import DayTable
from server.metrics.periods import Period
from server.resolvers.activations import DayRows

OFFER_COLUMNS = ("offers", "accepted", "declined", "expired", "accept_seconds", "decline_seconds")
COHORT_COLUMNS = (
    "cohort",
    "with_feedback",
    "feedback_seconds",
    "won",
    "lost",
    "contacted",
    "contact_seconds",
    "closed",
    "cycle_seconds",
    "lead_rating_sum",
    "lead_ratings",
    "customer_rating_sum",
    "customer_ratings",
)
SILENT = "silent"
"""Component name of silent open leads (per acceptance day)."""
OUTFLOW = "outflow"
"""Component name of partner_outflow_day.leads: the catalog's ``Sum("outflow")``."""


@dataclass(frozen=True)
class LeadFilter:
    """The dashboard's lead filters, resolved: 'ALL' or a value; marketplace by id."""

    source: str = "ALL"
    exclusivity: str = "ALL"
    marketplace_id: int | None = None


@dataclass(frozen=True)
class Window:
    """What one statement reads for many partners: an importer's rollup rows under
    lead filters, over a period and its previous period."""

    importer_id: int
    lead_filter: LeadFilter
    current: Period
    previous: Period
    with_days: bool = False  # per-day rows (series drawn), else whole-period sums

    @property
    def grain(self) -> str:
        """What a statement groups by: the day, or which period a day falls in."""
        return "d.day" if self.with_days else "d.day >= :cs"

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> DayTable:
        """A day table from (grain, values...) rows of one partner."""
        if self.with_days:
            return DayTable(columns, {row[0]: row[1:] for row in rows})
        zeros = (0,) * len(columns)
        totals: dict[Period, Sequence[float]] = {self.current: zeros, self.previous: zeros}
        for row in rows:
            totals[self.current if row[0] else self.previous] = row[1:]
        return DayTable.of_totals(columns, totals)


@dataclass(frozen=True)
class Receiver:
    """A partner that accepted leads another partner let go."""

    ref: str
    name: str


@dataclass
class OutflowRows:
    """A partner's outflow over both periods (component ``outflow``, per day or per
    period like every family), and per receiving partner over the current period."""

    per_day: DayRows = field(default_factory=lambda: DayTable((OUTFLOW,)))
    by_receiver: dict[Receiver, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PipelineRow:
    open_leads: int
    overdue_leads: int
    total_leads_received: int


_IN_WINDOWS = "(d.day BETWEEN :cs AND :ce OR d.day BETWEEN :ps AND :pe)"
_OF_PARTNERS = "d.importer_id = :imp AND d.partner_id = ANY(CAST(:pids AS int[]))"


def _filter_sql(lead_filter: LeadFilter, *, has_source: bool = True) -> str:
    """The WHERE conditions of the filters that apply (none for ALL), so an
    unfiltered dashboard reads a plain range of day rows."""
    conditions = []
    if lead_filter.source != "ALL":
        # Outflow rows have no source column: they are all MARKETPLACE leads.
        conditions.append(
            "d.source = :source" if has_source else "CAST(:source AS text) = 'MARKETPLACE'"
        )
    if lead_filter.exclusivity != "ALL":
        conditions.append("d.exclusive = :exclusive")
    if lead_filter.marketplace_id is not None:
        conditions.append("d.marketplace_id = :mp")
    return "".join(f" AND {c}" for c in conditions)


def _params(window: Window, partner_ids: Sequence[int]) -> dict[str, Any]:
    return {
        "imp": window.importer_id,
        "pids": list(partner_ids),
        "source": window.lead_filter.source,
        "exclusive": window.lead_filter.exclusivity == "EXCLUSIVE",
        "mp": window.lead_filter.marketplace_id,
        "cs": window.current.start,
        "ce": window.current.end,
        "ps": window.previous.start,
        "pe": window.previous.end,
    }


async def _day_sums(
    engine: AsyncEngine,
    window: Window,
    table: str,
    sums: dict[str, str],
    where: str,
    params: dict[str, Any],
) -> dict[int, DayRows]:
    """Per partner, ``sums`` (component -> SQL aggregate) over ``table``, per day
    or per period (``window.with_days``)."""
    columns = ", ".join(sums.values())
    sql = f"""
        SELECT d.partner_id, {window.grain}, {columns}
        FROM {table} d
        WHERE {_OF_PARTNERS} AND {_IN_WINDOWS}{where}
        GROUP BY 1, 2"""
    rows_of: dict[int, list[Sequence[Any]]] = {pid: [] for pid in params["pids"]}
    async with engine.connect() as conn:
        for row in await conn.execute(text(sql), params):
            rows_of[row[0]].append(row[1:])
    return {pid: window.table(tuple(sums), rows) for pid, rows in rows_of.items()}


async def offer_days(
    engine: AsyncEngine,
    window: Window,
    partner_ids: Sequence[int],
) -> dict[int, DayRows]:
    """Offers by the day they were offered: offers, responses, response seconds."""
    return await _day_sums(
        engine,
        window,
        "partner_offer_day",
        {c: f"sum(d.{c})" for c in OFFER_COLUMNS},
        _filter_sql(window.lead_filter),
        _params(window, partner_ids),
    )


async def cohort_days(
    engine: AsyncEngine,
    window: Window,
    partner_ids: Sequence[int],
) -> dict[int, DayRows]:
    """The accepted cohort by acceptance day, with its outcome as known at as-of."""
    return await _day_sums(
        engine,
        window,
        "partner_cohort_day",
        {c: f"sum(d.{c})" for c in COHORT_COLUMNS},
        _filter_sql(window.lead_filter),
        _params(window, partner_ids),
    )


async def silent_days(
    engine: AsyncEngine,
    window: Window,
    partner_ids: Sequence[int],
    silent_before: date,
) -> dict[int, DayRows]:
    """Open cohort leads by acceptance day whose last touch (latest feedback, else
    the acceptance) is before ``silent_before`` (today - 14)."""
    params = {**_params(window, partner_ids), "silent_before": silent_before}
    return await _day_sums(
        engine,
        window,
        "partner_open_leads",
        {SILENT: "sum(d.leads)"},
        " AND d.last_touch_day < :silent_before" + _filter_sql(window.lead_filter),
        params,
    )


async def outflow_rows(
    engine: AsyncEngine,
    window: Window,
    partner_ids: Sequence[int],
) -> dict[int, OutflowRows]:
    """Leads each partner let go to another partner, per receiver."""
    sql = f"""
        SELECT d.partner_id, {window.grain}, r.partner_ref, r.name, sum(d.leads)
        FROM partner_outflow_day d
        JOIN sales_partners r ON r.id = d.receiver_id AND r.importer_id = :imp
        WHERE {_OF_PARTNERS} AND {_IN_WINDOWS}{_filter_sql(window.lead_filter, has_source=False)}
        GROUP BY 1, 2, 3, 4"""
    totals: dict[int, dict[Any, int]] = {pid: defaultdict(int) for pid in partner_ids}
    receivers: dict[int, dict[Receiver, int]] = {pid: defaultdict(int) for pid in partner_ids}
    async with engine.connect() as conn:
        for pid, grain, ref, name, leads in await conn.execute(
            text(sql), _params(window, partner_ids)
        ):
            totals[pid][grain] += leads
            current = grain in window.current if window.with_days else grain
            if current:
                receivers[pid][Receiver(ref, name)] += leads
    return {
        pid: OutflowRows(
            per_day=window.table((OUTFLOW,), [(g, n) for g, n in totals[pid].items()]),
            by_receiver=dict(receivers[pid]),
        )
        for pid in partner_ids
    }


async def pipelines(
    engine: AsyncEngine, importer_id: int, partner_ids: Sequence[int], due_before: date
) -> dict[int, PipelineRow]:
    """Per partner, the current pipeline (no period, no filters): open leads, those
    accepted before ``due_before`` (overdue), and every offer ever received."""
    sql = """
        WITH open AS (
            SELECT partner_id, sum(leads) AS n,
                   coalesce(sum(leads) FILTER (WHERE day < :due_before), 0) AS overdue
            FROM partner_open_leads
            WHERE importer_id = :imp AND partner_id = ANY(CAST(:pids AS int[]))
            GROUP BY partner_id
        ), received AS (
            SELECT partner_id, sum(offers) AS n
            FROM partner_offer_day
            WHERE importer_id = :imp AND partner_id = ANY(CAST(:pids AS int[]))
            GROUP BY partner_id
        )
        SELECT p.pid, coalesce(o.n, 0), coalesce(o.overdue, 0), coalesce(r.n, 0)
        FROM unnest(CAST(:pids AS int[])) AS p(pid)
        LEFT JOIN open o ON o.partner_id = p.pid
        LEFT JOIN received r ON r.partner_id = p.pid"""
    params = {"imp": importer_id, "pids": list(partner_ids), "due_before": due_before}
    async with engine.connect() as conn:
        rows = await conn.execute(text(sql), params)
        return {r[0]: PipelineRow(int(r[1]), int(r[2]), int(r[3])) for r in rows}


async def marketplace_ids(
    engine: AsyncEngine, importer_id: int, refs: Sequence[str]
) -> dict[str, int]:
    """The importer's marketplaces among ``refs``, by ref (unknown refs are absent)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT marketplace_ref, id FROM marketplaces"
                " WHERE importer_id = :imp AND marketplace_ref = ANY(CAST(:refs AS text[]))"
            ),
            {"imp": importer_id, "refs": list(refs)},
        )
        return {r[0]: int(r[1]) for r in rows}
