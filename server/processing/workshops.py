"""Rebuild the workshop rollups (workshop_day, workshop_day_users, workshop_stats)
of one importer for a set of days, from the raw facts.

Every statement filters by importer_id and never joins across importers. A day is
the calendar day in the importer's timezone. Eligibility is decided here, once
per vehicle, so dashboard requests never join the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from server.processing.bounds import day_bounds, instant_bounds
from server.processing.eligibility import eligibility, importer_rules
from server.processing.replace import Rollup, replace_rows

_CHOSEN = "(CAST(:all_days AS boolean) OR {day} = ANY(CAST(:days AS date[])))"
_UP_TO_AS_OF = _CHOSEN + " AND {day} <= :as_of"


def _local_day(column: str) -> str:
    return f"CAST(({column} AT TIME ZONE imp.timezone) AS date)"


# Eligibility is decided per vehicle by the importer's rules (eligibility.py).
_ELIGIBLE_VEHICLES = """
eligible_vehicles AS (
    SELECT v.id AS vehicle_id, {eligible} AS eligible
    FROM vehicles v
    WHERE v.importer_id = :importer_id
)"""

# Connected: the vehicle (whichever workshop invited it) has an activation within
# 7 x 24 h of the departure (instants, not calendar days: "168 hours", because
# "7 days" follows a DST change in the session timezone) not deactivated by then.
_CONNECTION = """EXISTS (
        SELECT 1 FROM activations a
        WHERE a.importer_id = :importer_id AND a.vehicle_id = t.vehicle_id
          AND a.activated_at IS NOT NULL
          AND a.activated_at <= t.departed_at + interval '168 hours'
          AND (a.deactivated_at IS NULL OR a.deactivated_at > t.departed_at))"""

# A few days: the test runs per eligible visit (an index probe each). Many days:
# as one semi-join over the visits of the range, so activations and visits meet
# by hash instead of millions of probes (most of a full rebuild's time).
_JOIN_ABOVE_DAYS = 31
_CONNECTED_VISITS = f"""
connected_visits AS (
    SELECT t.id AS visit_id
    FROM visits t
    WHERE t.importer_id = :importer_id AND t.departed_at >= :lo AND t.departed_at < :hi
      AND {_CONNECTION}
)"""


@dataclass(frozen=True)
class _Source:
    """One raw table's contribution to workshop_day: its day column and aggregates."""

    table: str
    day_column: str
    aggregates: dict[str, str]
    joins: str = ""
    is_date: bool = False  # the column is already a day, not an instant

    def select(self, columns: Sequence[str]) -> str:
        day = self.day_column if self.is_date else _local_day(self.day_column)
        # the range lets an (importer_id, column) index narrow the rows first
        in_range = "BETWEEN :lo_day AND :hi_day" if self.is_date else ">= :lo AND {c} < :hi"
        values = ", ".join(f"{self.aggregates.get(c, '0')} AS {c}" for c in columns)
        return f"""
        SELECT t.workshop_id, {day} AS day, {values}
        FROM {self.table} t JOIN importers imp ON imp.id = t.importer_id {self.joins}
        WHERE t.importer_id = :importer_id AND t.workshop_id IS NOT NULL
          AND {self.day_column} {in_range.format(c=self.day_column)}
          AND {_UP_TO_AS_OF.format(day=day)}
        GROUP BY 1, 2"""


def _visits(connected: str, joins: str) -> _Source:
    aggregates = {
        "throughput": "count(*)",
        "eligible": "count(*) FILTER (WHERE ev.eligible)",
        "connected": f"count(*) FILTER (WHERE ev.eligible AND {connected})",
    }
    joins = "JOIN eligible_vehicles ev ON ev.vehicle_id = t.vehicle_id" + joins
    return _Source("visits", "t.departed_at", aggregates, joins=joins)


_VISITS_PROBED = _visits(_CONNECTION, "")
_VISITS_JOINED = _visits(
    "cv.visit_id IS NOT NULL", " LEFT JOIN connected_visits cv ON cv.visit_id = t.id"
)

_SOURCES = (
    _Source("activations", "t.activated_at", {"new_activations": "count(*)"}),
    _Source("leads", "t.created_at", {"leads_created": "count(*)"}),
    _Source(
        "chats",
        "t.started_at",
        {
            "chats": "count(*)",
            "chat_messages": "sum(t.messages)",
            "chat_responses": "count(t.first_response_at)",
            "chat_response_seconds": "coalesce(sum(extract(epoch FROM"
            " t.first_response_at - t.started_at)), 0)",
        },
    ),
    _Source(
        "campaigns",
        "t.sent_at",
        {"campaigns": "count(*)", "campaign_recipients": "sum(t.recipients)"},
    ),
    _VISITS_JOINED,
    _Source(
        "staff_activity",
        "t.day",
        {"staff_rows": "count(*)", "staff_actions": "sum(t.actions)"},
        is_date=True,
    ),
)

COLUMNS: tuple[str, ...] = tuple(c for s in _SOURCES for c in s.aggregates)


WORKSHOP_DAY = Rollup("workshop_day", ("workshop_id", "day"), ("importer_id", *COLUMNS))
WORKSHOP_DAY_USERS = Rollup(
    "workshop_day_users", ("workshop_id", "kind", "day"), ("importer_id", "user_ids")
)
_SCOPE = f"importer_id = :importer_id AND {_CHOSEN.format(day='day')}"


def _workshop_day_select(eligible: str, *, joined: bool) -> str:
    sources = [_VISITS_PROBED if s is _VISITS_JOINED and not joined else s for s in _SOURCES]
    union = "\n        UNION ALL".join(source.select(COLUMNS) for source in sources)
    sums = ", ".join(f"sum({c}) AS {c}" for c in COLUMNS)
    ctes = _ELIGIBLE_VEHICLES.format(eligible=eligible) + (
        ", " + _CONNECTED_VISITS if joined else ""
    )
    return f"""
    WITH {ctes}
    SELECT workshop_id, day, CAST(:importer_id AS int) AS importer_id, {sums}
    FROM ({union}) AS parts
    GROUP BY workshop_id, day"""


def _users_select(kind: str, table: str, user_column: str) -> str:
    return f"""
    SELECT workshop_id, '{kind}' AS kind, day, CAST(:importer_id AS int) AS importer_id,
           array_agg(DISTINCT {user_column} ORDER BY {user_column}) AS user_ids
    FROM {table}
    WHERE importer_id = :importer_id AND day BETWEEN :lo_day AND :hi_day
      AND {_UP_TO_AS_OF.format(day="day")}
    GROUP BY workshop_id, day"""


_USERS_SELECT = (
    _users_select("staff", "staff_activity", "staff_user_id")
    + "\n    UNION ALL"
    + _users_select("app", "app_activity", "app_user_id")
)

# The newest delivered instant per workshop is the later of its newest departure
# and its newest arrival (departed_at >= arrived_at, so no row needs both, and
# only a visit without departure can have the newest arrival): two index probes
# per workshop instead of a scan of every visit on every run. The arrival index
# holds open visits only, so writing departed visits skips it.
_STATS_REFRESH = """
INSERT INTO workshop_stats (workshop_id, importer_id, newest_data_day)
SELECT w.id, :importer_id,
       CAST((greatest(
                (SELECT max(v.departed_at) FROM visits v WHERE v.workshop_id = w.id),
                (SELECT max(v.arrived_at) FROM visits v
                 WHERE v.workshop_id = w.id AND v.departed_at IS NULL))
             AT TIME ZONE imp.timezone) AS date)
FROM workshops w JOIN importers imp ON imp.id = w.importer_id
WHERE w.importer_id = :importer_id
ON CONFLICT (workshop_id) DO UPDATE SET newest_data_day = EXCLUDED.newest_data_day"""


async def rebuild_workshop_days(
    conn: AsyncConnection, *, importer_id: int, days: Sequence[date] | None, as_of: date
) -> None:
    """Replace the workshop rollup rows of ``days`` (None: every day) up to as-of,
    and refresh every workshop's data age."""
    lo, hi = instant_bounds(days)
    lo_day, hi_day = day_bounds(days)
    params = {
        "importer_id": importer_id,
        "all_days": days is None,
        "days": list(days or []),
        "as_of": as_of,
        "lo": lo,
        "hi": hi,
        "lo_day": lo_day,
        "hi_day": hi_day,
    }
    rules = eligibility(await importer_rules(conn, importer_id))
    joined = days is None or len(days) > _JOIN_ABOVE_DAYS
    day_sql = _workshop_day_select(rules.expression, joined=joined)
    day_params = {**params, **rules.params}
    await replace_rows(conn, WORKSHOP_DAY, fresh_sql=day_sql, scope=_SCOPE, params=day_params)
    await replace_rows(
        conn, WORKSHOP_DAY_USERS, fresh_sql=_USERS_SELECT, scope=_SCOPE, params=params
    )
    await conn.execute(text(_STATS_REFRESH), {"importer_id": importer_id})
