"""Oracle for the Activations and Performance dashboard (METRICS.md, seed 000).

One plain SQL statement per metric over the raw tables (visits, vehicles,
eligibility_rules, activations, leads, chats, staff/app activity, campaigns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from tests.oracle._sql import all_rows, as_float, local_day, one_row, ratio, seconds

#: Per workshop: (days in P with any staff activity, summed actions, last active day).
WorkshopActivity = tuple[int, int, date | None]

_IN_SCOPE = "workshop_id = ANY(CAST(:ws AS integer[]))"


def _in_period(column: str) -> str:
    return f"{local_day(column)} BETWEEN :start AND :end"


_NEW_ACTIVATIONS = f"""
SELECT count(*) FROM activations
WHERE {_IN_SCOPE} AND activated_at IS NOT NULL AND {_in_period("activated_at")}
"""

_LEADS_CREATED = f"""
SELECT count(*) FROM leads WHERE {_IN_SCOPE} AND {_in_period("created_at")}
"""

_CHATS = f"""
SELECT count(*) AS conversations,
       COALESCE(sum(messages), 0) AS messages,
       avg({seconds("first_response_at - started_at")}) AS first_response
FROM chats
WHERE {_IN_SCOPE} AND {_in_period("started_at")}
"""

_ACTIVE_STAFF = f"""
SELECT count(DISTINCT staff_user_id) FROM staff_activity
WHERE {_IN_SCOPE} AND day BETWEEN :start AND :end
"""

_APP_USERS = f"""
SELECT count(DISTINCT app_user_id) FROM app_activity
WHERE {_IN_SCOPE} AND day BETWEEN :start AND :end
"""

_CAMPAIGNS = f"""
SELECT count(*) AS sent, COALESCE(sum(recipients), 0) AS recipients FROM campaigns
WHERE {_IN_SCOPE} AND {_in_period("sent_at")}
"""

# A rule matches: same make ignoring case, model equal or the rule's empty, year
# within [year_from, year_to] with empty bounds open (DOMAIN.md, Eligibility).
_MATCHES = """
r.make_ci = lower(v.make)
AND (r.model IS NULL OR r.model = v.model)
AND (r.year_from IS NULL OR v.model_year >= r.year_from)
AND (r.year_to IS NULL OR v.model_year <= r.year_to)
"""

# Connected: some activation of the same vehicle (any workshop), activated no later
# than 7 x 24 h after departure ('168 hours', not '7 days': day arithmetic on a
# timestamptz follows the session zone's DST), and not deactivated at or before it.
_CONNECTION = f"""
WITH rules AS (
    SELECT lower(make) AS make_ci, NULLIF(model, '') AS model, year_from, year_to, include
    FROM eligibility_rules WHERE importer_id = :importer_id
),
judged AS (
    SELECT
        (NOT EXISTS (SELECT 1 FROM rules r WHERE r.include)
         OR EXISTS (SELECT 1 FROM rules r WHERE r.include AND {_MATCHES}))
        AND NOT EXISTS (SELECT 1 FROM rules r WHERE NOT r.include AND {_MATCHES})
            AS eligible,
        EXISTS (
            SELECT 1 FROM activations a
            WHERE a.vehicle_id = vi.vehicle_id
              AND a.activated_at <= vi.departed_at + interval '168 hours'
              AND NOT COALESCE(a.deactivated_at <= vi.departed_at, false)
        ) AS activated
    FROM visits vi JOIN vehicles v ON v.id = vi.vehicle_id
    WHERE vi.{_IN_SCOPE} AND {_in_period("vi.departed_at")}
)
SELECT count(*) AS throughput,
       count(*) FILTER (WHERE eligible) AS eligible,
       count(*) FILTER (WHERE eligible AND activated) AS connected
FROM judged
"""

_NEWEST_DATA = f"""
SELECT {local_day("GREATEST(max(arrived_at), max(departed_at))")} FROM visits WHERE {_IN_SCOPE}
"""

_WORKSHOP_ACTIVITY = f"""
SELECT workshop_id, count(DISTINCT day) AS days, sum(actions) AS actions, max(day) AS last_day
FROM staff_activity
WHERE {_IN_SCOPE} AND day BETWEEN :start AND :end
GROUP BY workshop_id
"""


async def _scalar(conn: AsyncConnection, sql: str, params: Mapping[str, Any]) -> Any:
    return (await one_row(conn, sql, params))[0]


async def _timezone(conn: AsyncConnection, importer_id: int) -> str:
    sql = "SELECT timezone FROM importers WHERE id = :importer_id"
    tz: str = await _scalar(conn, sql, {"importer_id": importer_id})
    return tz


async def _workshop_activity(
    conn: AsyncConnection, workshop_ids: Sequence[int], params: Mapping[str, Any]
) -> dict[int, WorkshopActivity]:
    found = {
        row.workshop_id: (row.days, row.actions, row.last_day)
        for row in await all_rows(conn, _WORKSHOP_ACTIVITY, params)
    }
    return {ws: found.get(ws, (0, 0, None)) for ws in workshop_ids}


async def activations_oracle(
    conn: AsyncConnection,
    *,
    importer_id: int,
    workshop_ids: Sequence[int],
    start: date,
    end: date,
    today: date,
) -> dict[str, object]:
    """Every Activations-dashboard number for workshops S over the days [start, end].

    Args:
        conn: a connection to a database holding the raw tables.
        importer_id: the importer owning S (its timezone and eligibility rules apply).
        workshop_ids: the scope S.
        start, end: the period, inclusive, in the importer's calendar days.
        today: accepted for symmetry with ``partner_oracle``; no metric here
            depends on it (``newestDataDate`` covers all of S's visits).

    Returns:
        A dict keyed by metric name; ``workshopActivity`` maps every workshop of S
        to ``(active_days, actions, last_active_day)``.
    """
    del today
    params: dict[str, Any] = {
        "importer_id": importer_id,
        "ws": list(workshop_ids),
        "start": start,
        "end": end,
        "tz": await _timezone(conn, importer_id),
    }
    chats = await one_row(conn, _CHATS, params)
    campaigns = await one_row(conn, _CAMPAIGNS, params)
    connection = await one_row(conn, _CONNECTION, params)
    return {
        "newActivations": await _scalar(conn, _NEW_ACTIVATIONS, params),
        "leadsCreated": await _scalar(conn, _LEADS_CREATED, params),
        "chatConversations": chats.conversations,
        "chatMessages": int(chats.messages),
        "chatFirstResponseTime": as_float(chats.first_response),
        "activeStaff": await _scalar(conn, _ACTIVE_STAFF, params),
        "appUsers": await _scalar(conn, _APP_USERS, params),
        "marketingCampaignsSent": campaigns.sent,
        "campaignRecipients": int(campaigns.recipients),
        "throughput": connection.throughput,
        "eligible": connection.eligible,
        "connected": connection.connected,
        "connectionRate": ratio(connection.connected, connection.eligible),
        "newestDataDate": await _scalar(conn, _NEWEST_DATA, params),
        "workshopActivity": await _workshop_activity(conn, workshop_ids, params),
    }
