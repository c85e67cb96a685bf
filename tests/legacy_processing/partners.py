"""Rebuild the sales-partner rollups (partner_offer_day, partner_cohort_day,
partner_open_leads, partner_outflow_day) of one importer for a set of days.

Each table is deleted for the chosen days and refilled by one set-based
statement over the raw leads, lead_offers and lead_events, inside the caller's
transaction. Every statement filters by importer_id and never joins across
importers (Citus co-location). A day is the calendar day in the importer's
timezone, and no day after as-of is ever written.

Cohort rows (and open leads) carry the cohort's outcome as known at as-of: only
events dated up to as-of count. So a cohort day changes when as-of moves past
one of its events, with no raw row changing; :func:`partner_days_touched_by_time`
names those days for the incremental job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from server.processing.bounds import instant_bounds

TABLES = (
    "partner_offer_day",
    "partner_cohort_day",
    "partner_open_leads",
    "partner_outflow_day",
)

# `:days` NULL means every day; a day after as-of is never written.
_ANY_DAY = "(CAST(:days AS date[]) IS NULL OR {day} = ANY(CAST(:days AS date[])))"
_IN_SCOPE = "{day} <= :as_of AND " + _ANY_DAY

# The importer's timezone, and the first instant after as-of in it: events at or
# after `cutoff` are not known yet (a sargable form of "event day <= as-of").
_IMPORTER = """
importer AS (
    SELECT timezone AS tz,
           CAST(CAST(:as_of AS date) + 1 AS timestamp) AT TIME ZONE timezone AS cutoff
    FROM importers
    WHERE id = :importer_id
)"""

_OFFERS = f"""
WITH {_IMPORTER},
offers AS (
    SELECT o.partner_id,
           CAST(o.offered_at AT TIME ZONE imp.tz AS date) AS day,
           l.source, l.exclusive, l.marketplace_id, o.response,
           extract(epoch FROM o.responded_at - o.offered_at) AS seconds
    FROM lead_offers o
    CROSS JOIN importer imp
    JOIN leads l ON l.id = o.lead_id AND l.importer_id = :importer_id
    WHERE o.importer_id = :importer_id AND o.offered_at >= :lo AND o.offered_at < :hi
)
INSERT INTO partner_offer_day (
    importer_id, partner_id, day, source, exclusive, marketplace_id,
    offers, accepted, declined, expired, accept_seconds, decline_seconds)
SELECT :importer_id, partner_id, day, source, exclusive, marketplace_id,
       count(*),
       count(*) FILTER (WHERE response = 'ACCEPTED'),
       count(*) FILTER (WHERE response = 'DECLINED'),
       count(*) FILTER (WHERE response = 'EXPIRED'),
       coalesce(sum(seconds) FILTER (WHERE response = 'ACCEPTED'), 0),
       coalesce(sum(seconds) FILTER (WHERE response = 'DECLINED'), 0)
FROM offers
WHERE {_IN_SCOPE.format(day="day")}
GROUP BY partner_id, day, source, exclusive, marketplace_id
"""

# One row per lead a partner accepted on a day in scope, with the outcome of that
# partner's events on it that are known at as-of. Shared by cohort and open leads.
_COHORT_LEADS = f"""
WITH {_IMPORTER},
accepted AS (
    SELECT o.lead_id, o.partner_id, o.responded_at,
           CAST(o.responded_at AT TIME ZONE imp.tz AS date) AS day,
           l.source, l.exclusive, l.marketplace_id
    FROM lead_offers o
    CROSS JOIN importer imp
    JOIN leads l ON l.id = o.lead_id AND l.importer_id = :importer_id
    WHERE o.importer_id = :importer_id
      AND o.response = 'ACCEPTED' AND o.responded_at >= :lo AND o.responded_at < :hi
),
known_events AS (
    SELECT e.lead_id, e.partner_id, e.kind, e.occurred_at, e.value
    FROM lead_events e
    CROSS JOIN importer imp
    WHERE e.importer_id = :importer_id AND e.occurred_at < imp.cutoff
),
cohort_leads AS (
    SELECT a.partner_id, a.day, a.source, a.exclusive, a.marketplace_id, a.responded_at,
           min(e.occurred_at) FILTER (WHERE e.kind = 'FEEDBACK') AS first_feedback,
           max(e.occurred_at) FILTER (WHERE e.kind = 'FEEDBACK') AS last_feedback,
           min(e.occurred_at) FILTER (WHERE e.kind = 'FIRST_CONTACT') AS first_contact,
           min(e.occurred_at) FILTER (WHERE e.kind IN ('WON', 'LOST')) AS closed_at,
           coalesce(bool_or(e.kind = 'WON'), false) AS won,
           coalesce(bool_or(e.kind = 'LOST'), false) AS lost,
           coalesce(sum(e.value) FILTER (WHERE e.kind = 'LEAD_RATING'), 0) AS lead_rating_sum,
           count(*) FILTER (WHERE e.kind = 'LEAD_RATING') AS lead_ratings,
           coalesce(sum(e.value) FILTER (WHERE e.kind = 'CUSTOMER_RATING'), 0)
               AS customer_rating_sum,
           count(*) FILTER (WHERE e.kind = 'CUSTOMER_RATING') AS customer_ratings
    FROM accepted a
    LEFT JOIN known_events e ON e.lead_id = a.lead_id AND e.partner_id = a.partner_id
    WHERE {_IN_SCOPE.format(day="a.day")}
    GROUP BY a.lead_id, a.partner_id, a.day, a.source, a.exclusive, a.marketplace_id,
             a.responded_at
)"""

_COHORT = f"""
{_COHORT_LEADS}
INSERT INTO partner_cohort_day (
    importer_id, partner_id, day, source, exclusive, marketplace_id,
    cohort, with_feedback, feedback_seconds, won, lost, contacted, contact_seconds,
    closed, cycle_seconds, lead_rating_sum, lead_ratings,
    customer_rating_sum, customer_ratings)
SELECT :importer_id, partner_id, day, source, exclusive, marketplace_id,
       count(*),
       count(first_feedback),
       coalesce(sum(extract(epoch FROM first_feedback - responded_at)), 0),
       count(*) FILTER (WHERE won),
       count(*) FILTER (WHERE lost),
       count(first_contact),
       coalesce(sum(extract(epoch FROM first_contact - responded_at)), 0),
       count(closed_at),
       coalesce(sum(extract(epoch FROM closed_at - responded_at)), 0),
       sum(lead_rating_sum), sum(lead_ratings),
       sum(customer_rating_sum), sum(customer_ratings)
FROM cohort_leads
GROUP BY partner_id, day, source, exclusive, marketplace_id
"""

_OPEN_LEADS = f"""
{_COHORT_LEADS}
INSERT INTO partner_open_leads (
    importer_id, partner_id, day, source, exclusive, marketplace_id, last_touch_day, leads)
SELECT :importer_id, c.partner_id, c.day, c.source, c.exclusive, c.marketplace_id,
       coalesce(CAST(c.last_feedback AT TIME ZONE imp.tz AS date), c.day) AS last_touch_day,
       count(*)
FROM cohort_leads c
CROSS JOIN importer imp
WHERE c.closed_at IS NULL
GROUP BY c.partner_id, c.day, c.source, c.exclusive, c.marketplace_id, last_touch_day
"""

_OUTFLOW = f"""
WITH {_IMPORTER},
missed AS (
    SELECT o.lead_id, o.partner_id,
           CAST(o.offered_at AT TIME ZONE imp.tz AS date) AS day,
           l.exclusive, l.marketplace_id
    FROM lead_offers o
    CROSS JOIN importer imp
    JOIN leads l ON l.id = o.lead_id AND l.importer_id = :importer_id
    WHERE o.importer_id = :importer_id AND o.offered_at >= :lo AND o.offered_at < :hi
      AND l.source = 'MARKETPLACE' AND o.response IN ('DECLINED', 'EXPIRED')
),
received AS (
    -- only the missed leads' acceptances: a probe of (lead_id, partner_id) per lead
    SELECT r.lead_id, r.partner_id AS receiver_id
    FROM lead_offers r
    WHERE r.importer_id = :importer_id AND r.response = 'ACCEPTED'
      AND r.lead_id IN (SELECT lead_id FROM missed)
)
INSERT INTO partner_outflow_day (
    importer_id, partner_id, day, exclusive, marketplace_id, receiver_id, leads)
SELECT :importer_id, m.partner_id, m.day, m.exclusive, m.marketplace_id, r.receiver_id,
       count(*)
FROM missed m
JOIN received r ON r.lead_id = m.lead_id AND r.receiver_id <> m.partner_id
WHERE {_IN_SCOPE.format(day="m.day")}
GROUP BY m.partner_id, m.day, m.exclusive, m.marketplace_id, r.receiver_id
"""

_DELETE = "DELETE FROM {table} WHERE importer_id = :importer_id AND " + _ANY_DAY.format(day="day")

INSERTS = (_OFFERS, _COHORT, _OPEN_LEADS, _OUTFLOW)

# Acceptance days of cohorts whose known outcome grows when as-of moves from
# `after` to `as_of`: an event of the accepting partner dated in (after, as_of].
# `:lo`/`:hi` are plain instants around those local days so the
# (importer_id, occurred_at) index reads only the events of the days that moved;
# the exact local-day test below still decides.
TOUCHED_BY_TIME = f"""
WITH {_IMPORTER}
SELECT DISTINCT CAST(o.responded_at AT TIME ZONE imp.tz AS date) AS day
FROM lead_events e
CROSS JOIN importer imp
JOIN lead_offers o ON o.lead_id = e.lead_id AND o.partner_id = e.partner_id
                  AND o.importer_id = :importer_id
WHERE e.importer_id = :importer_id
  AND e.occurred_at >= :lo AND e.occurred_at < :hi
  AND o.response = 'ACCEPTED' AND o.responded_at IS NOT NULL
  AND e.occurred_at < imp.cutoff
  AND (CAST(:after AS date) IS NULL
       OR e.occurred_at >= CAST(CAST(:after AS date) + 1 AS timestamp) AT TIME ZONE imp.tz)
  AND CAST(o.responded_at AT TIME ZONE imp.tz AS date) <= :as_of
ORDER BY day
"""


def rebuild_params(*, importer_id: int, days: Sequence[date] | None, as_of: date) -> dict[str, Any]:
    """The bind parameters of :data:`INSERTS` and the deletes for ``days``.

    ``lo``/``hi`` are instants that surely contain those local days, so the
    (importer_id, time) indexes narrow the raw rows before the exact day test.
    """
    lo, hi = instant_bounds(days)
    return {
        "importer_id": importer_id,
        "days": None if days is None else sorted(set(days)),
        "as_of": as_of,
        "lo": lo,
        "hi": hi,
    }


def touched_params(*, importer_id: int, after: date | None, as_of: date) -> dict[str, Any]:
    """The bind parameters of :data:`TOUCHED_BY_TIME`: events whose local day is in
    (after, as_of], bounded by instants an index can use (none when the range is empty,
    e.g. a second run on the same day)."""
    if after is not None and after >= as_of:
        lo, hi = instant_bounds([])
    elif after is None:
        lo, hi = instant_bounds(None)[0], instant_bounds([as_of])[1]
    else:
        lo, hi = instant_bounds([after + timedelta(days=1), as_of])
    return {"importer_id": importer_id, "after": after, "as_of": as_of, "lo": lo, "hi": hi}


async def rebuild_partner_days(
    conn: AsyncConnection, *, importer_id: int, days: Sequence[date] | None, as_of: date
) -> None:
    """Rebuild the four partner rollup tables of one importer for ``days``.

    Runs inside the caller's transaction, so readers see the old rows or the new
    ones, never a gap. Rebuilding the same days twice gives the same rows.

    Args:
        conn: a connection with an open transaction.
        importer_id: the one importer whose rows are rebuilt.
        days: the days to rebuild (local days of the importer); ``None`` deletes
            every partner rollup row of the importer and rebuilds them all.
        as_of: the newest day written, and the newest day whose events count.

    Example:
        >>> async with engine.begin() as conn:  # doctest: +SKIP
        ...     await rebuild_partner_days(conn, importer_id=1, days=None, as_of=day)
    """
    if days is not None and not days:
        return
    params = rebuild_params(importer_id=importer_id, days=days, as_of=as_of)
    for table in TABLES:
        await conn.execute(text(_DELETE.format(table=table)), params)
    for insert in INSERTS:
        await conn.execute(text(insert), params)


async def partner_days_touched_by_time(
    conn: AsyncConnection, *, importer_id: int, after: date | None, as_of: date
) -> list[date]:
    """The acceptance days whose cohort outcome changes when as-of advances from
    ``after`` (the previous run's as-of; ``None`` for no previous run) to ``as_of``.

    These days change with no raw row changing, so ingestion never marks them.
    """
    result = await conn.execute(
        text(TOUCHED_BY_TIME),
        touched_params(importer_id=importer_id, after=after, as_of=as_of),
    )
    return list(result.scalars().all())
