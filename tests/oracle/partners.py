"""Oracle for the Sales-partner dashboard (METRICS.md, seed 004).

One plain SQL statement per card over the raw leads, lead_offers and lead_events
tables. Filters (source, exclusivity, marketplace) apply to the lead; the pipeline
ignores period and filters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from tests.oracle._sql import all_rows, as_float, local_day, one_row, ratio, seconds

SOURCES = ("ALL", "MARKETPLACE", "DIRECT")
EXCLUSIVITIES = ("ALL", "EXCLUSIVE", "SHARED")
SILENT_AFTER_DAYS = 14

_LEAD_FILTER = """
(CAST(:source AS text) = 'ALL' OR l.source = CAST(:source AS text))
AND (CAST(:exclusivity AS text) = 'ALL'
     OR l.exclusive = (CAST(:exclusivity AS text) = 'EXCLUSIVE'))
AND (CAST(:marketplace_id AS integer) IS NULL
     OR l.marketplace_id = CAST(:marketplace_id AS integer))
"""

_OFFERED_IN_PERIOD = f"""
o.partner_id = :partner_id
AND {local_day("o.offered_at")} BETWEEN :start AND :end
AND {_LEAD_FILTER}
"""

_LEAD_PICK = f"""
SELECT count(*) AS offers,
       count(*) FILTER (WHERE o.response = 'ACCEPTED') AS accepted,
       count(*) FILTER (WHERE o.response = 'DECLINED') AS declined,
       count(*) FILTER (WHERE o.response = 'EXPIRED') AS expired,
       avg({seconds("o.responded_at - o.offered_at")})
           FILTER (WHERE o.response = 'ACCEPTED') AS time_to_accept,
       avg({seconds("o.responded_at - o.offered_at")})
           FILTER (WHERE o.response = 'DECLINED') AS time_to_decline
FROM lead_offers o JOIN leads l ON l.id = o.lead_id
WHERE {_OFFERED_IN_PERIOD}
"""

# The accepted cohort and p's own events on it, as known at as-of.
_COHORT_EVENTS = f"""
cohort AS (
    SELECT o.lead_id, o.responded_at AS accepted_at,
           {local_day("o.responded_at")} AS accepted_day
    FROM lead_offers o JOIN leads l ON l.id = o.lead_id
    WHERE o.partner_id = :partner_id AND o.response = 'ACCEPTED'
      AND {local_day("o.responded_at")} BETWEEN :start AND :end
      AND {_LEAD_FILTER}
),
events AS (
    SELECT e.lead_id, e.kind, e.occurred_at, e.value
    FROM lead_events e JOIN cohort c ON c.lead_id = e.lead_id
    WHERE e.partner_id = :partner_id AND {local_day("e.occurred_at")} <= :as_of
)
"""


def _first(kinds: str, *, last: bool = False) -> str:
    pick = "max" if last else "min"
    return (
        f"(SELECT {pick}(e.occurred_at) FROM events e"
        f" WHERE e.lead_id = c.lead_id AND e.kind IN ({kinds}))"
    )


_COHORT = f"""
WITH {_COHORT_EVENTS},
per_lead AS (
    SELECT c.accepted_at, c.accepted_day,
           {_first("'FEEDBACK'")} AS first_feedback,
           {_first("'FEEDBACK'", last=True)} AS last_feedback,
           {_first("'FIRST_CONTACT'")} AS first_contact,
           {_first("'WON', 'LOST'")} AS closed_at,
           {_first("'WON'")} IS NOT NULL AS won,
           {_first("'LOST'")} IS NOT NULL AS lost
    FROM cohort c
)
SELECT count(*) AS size,
       count(first_feedback) AS with_feedback,
       avg({seconds("first_feedback - accepted_at")}) AS time_to_first_feedback,
       count(*) FILTER (WHERE won) AS won,
       count(*) FILTER (WHERE lost) AS lost,
       avg({seconds("first_contact - accepted_at")}) AS time_to_first_contact,
       avg({seconds("closed_at - accepted_at")}) AS sales_cycle,
       count(*) FILTER (
           WHERE closed_at IS NULL
             AND COALESCE({local_day("last_feedback")}, accepted_day) < :silent_before
       ) AS silent
FROM per_lead
"""

_RATINGS = f"""
WITH {_COHORT_EVENTS}
SELECT avg(value) FILTER (WHERE kind = 'LEAD_RATING') AS lead_rating,
       avg(value) FILTER (WHERE kind = 'CUSTOMER_RATING') AS customer_rating
FROM events
"""

# p's offer lost to a competitor: a MARKETPLACE lead p declined or let expire.
_LOST_OFFER = f"""
{_OFFERED_IN_PERIOD}
AND l.source = 'MARKETPLACE'
AND o.response IN ('DECLINED', 'EXPIRED')
"""

_OUTFLOW_TOTAL = f"""
SELECT count(*)
FROM lead_offers o JOIN leads l ON l.id = o.lead_id
WHERE {_LOST_OFFER}
  AND EXISTS (
      SELECT 1 FROM lead_offers q
      WHERE q.lead_id = o.lead_id AND q.partner_id <> o.partner_id AND q.response = 'ACCEPTED'
  )
"""

_OUTFLOW_BY_PARTNER = f"""
SELECT q.partner_id AS receiver, count(*) AS leads
FROM lead_offers o
JOIN leads l ON l.id = o.lead_id
JOIN lead_offers q
  ON q.lead_id = o.lead_id AND q.partner_id <> o.partner_id AND q.response = 'ACCEPTED'
WHERE {_LOST_OFFER}
GROUP BY q.partner_id
"""

_PIPELINE = f"""
WITH accepted AS (
    SELECT o.lead_id, {local_day("o.responded_at")} AS accepted_day
    FROM lead_offers o
    WHERE o.partner_id = :partner_id AND o.response = 'ACCEPTED'
      AND {local_day("o.responded_at")} <= :as_of
),
open_leads AS (
    SELECT a.accepted_day FROM accepted a
    WHERE NOT EXISTS (
        SELECT 1 FROM lead_events e
        WHERE e.partner_id = :partner_id AND e.lead_id = a.lead_id
          AND e.kind IN ('WON', 'LOST') AND {local_day("e.occurred_at")} <= :as_of
    )
)
SELECT count(*) AS open_count,
       count(*) FILTER (WHERE accepted_day < :due_before) AS overdue,
       (SELECT count(*) FROM lead_offers o
        WHERE o.partner_id = :partner_id AND {local_day("o.offered_at")} <= :as_of) AS received
FROM open_leads
"""

_SETTINGS = """
SELECT i.timezone, i.lead_due_days, i.lead_rating_enabled, i.customer_rating_enabled
FROM sales_partners p JOIN importers i ON i.id = p.importer_id
WHERE p.id = :partner_id
"""


async def _lead_pick(conn: AsyncConnection, params: Mapping[str, Any]) -> dict[str, object]:
    row = await one_row(conn, _LEAD_PICK, params)
    return {
        "offersReceived": row.offers,
        "accepted": row.accepted,
        "declined": row.declined,
        "expired": row.expired,
        "pickRate": ratio(row.accepted, row.accepted + row.declined + row.expired),
        "timeToAccept": as_float(row.time_to_accept),
        "timeToDecline": as_float(row.time_to_decline),
    }


async def _cohort(conn: AsyncConnection, params: Mapping[str, Any]) -> dict[str, object]:
    row = await one_row(conn, _COHORT, params)
    return {
        "feedbackRate": ratio(row.with_feedback, row.size),
        "timeToFirstFeedback": as_float(row.time_to_first_feedback),
        "silentLeads": row.silent,
        "won": row.won,
        "lost": row.lost,
        "conversionRate": ratio(row.won, row.won + row.lost),
        "timeToFirstContact": as_float(row.time_to_first_contact),
        "salesCycle": as_float(row.sales_cycle),
    }


async def _ratings(
    conn: AsyncConnection, params: Mapping[str, Any], settings: Any
) -> dict[str, object]:
    row = await one_row(conn, _RATINGS, params)
    return {
        "leadRating": as_float(row.lead_rating) if settings.lead_rating_enabled else None,
        "customerRating": (
            as_float(row.customer_rating) if settings.customer_rating_enabled else None
        ),
    }


async def _outflow(conn: AsyncConnection, params: Mapping[str, Any]) -> dict[str, object]:
    total = (await one_row(conn, _OUTFLOW_TOTAL, params))[0]
    by_partner = {
        row.receiver: row.leads for row in await all_rows(conn, _OUTFLOW_BY_PARTNER, params)
    }
    return {"outflow": total, "outflowByPartner": by_partner}


async def _pipeline(conn: AsyncConnection, params: Mapping[str, Any]) -> dict[str, object]:
    row = await one_row(conn, _PIPELINE, params)
    return {
        "openLeads": row.open_count,
        "overdueLeads": row.overdue,
        "totalLeadsReceived": row.received,
    }


async def partner_oracle(
    conn: AsyncConnection,
    *,
    partner_id: int,
    start: date,
    end: date,
    today: date,
    source: str = "ALL",
    exclusivity: str = "ALL",
    marketplace_id: int | None = None,
) -> dict[str, object]:
    """Every Sales-partner-dashboard number for partner p over the days [start, end].

    Args:
        conn: a connection to a database holding the raw tables.
        partner_id: p.
        start, end: the period, inclusive, in p's importer's calendar days.
        today: the importer-local today; as-of = today - 1 bounds every event,
            the silent-lead and overdue cut-offs count back from today.
        source, exclusivity, marketplace_id: lead filters ("ALL" / None = any).

    Returns:
        A dict keyed by metric name; ``outflowByPartner`` maps the receiving
        partner's id to the number of p's lost offers it accepted.
    """
    if source not in SOURCES or exclusivity not in EXCLUSIVITIES:
        raise ValueError(f"unknown filter source={source!r} exclusivity={exclusivity!r}")
    settings = await one_row(conn, _SETTINGS, {"partner_id": partner_id})
    params: dict[str, Any] = {
        "partner_id": partner_id,
        "start": start,
        "end": end,
        "tz": settings.timezone,
        "as_of": today - timedelta(days=1),
        "silent_before": today - timedelta(days=SILENT_AFTER_DAYS),
        "due_before": today - timedelta(days=settings.lead_due_days),
        "source": source,
        "exclusivity": exclusivity,
        "marketplace_id": marketplace_id,
    }
    return {
        **await _lead_pick(conn, params),
        **await _cohort(conn, params),
        **await _outflow(conn, params),
        **await _ratings(conn, params, settings),
        **await _pipeline(conn, params),
    }
