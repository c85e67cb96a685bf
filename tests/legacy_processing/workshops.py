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

_CHOSEN = "(CAST(:all_days AS boolean) OR {day} = ANY(CAST(:days AS date[])))"
_UP_TO_AS_OF = _CHOSEN + " AND {day} <= :as_of"


def _local_day(column: str) -> str:
    return f"CAST(({column} AT TIME ZONE imp.timezone) AS date)"


_RULE_MATCH = (
    "lower(r.make) = lower(v.make) AND (r.model IS NULL OR r.model = v.model)"
    " AND (r.year_from IS NULL OR v.model_year >= r.year_from)"
    " AND (r.year_to IS NULL OR v.model_year <= r.year_to)"
)

# DOMAIN.md: at least one include rule matches (or there are none) and no exclude rule.
_ELIGIBLE_VEHICLES = f"""
eligible_vehicles AS (
    SELECT v.id AS vehicle_id,
           (NOT EXISTS (SELECT 1 FROM eligibility_rules r
                        WHERE r.importer_id = :importer_id AND r.include)
            OR EXISTS (SELECT 1 FROM eligibility_rules r
                       WHERE r.importer_id = :importer_id AND r.include AND {_RULE_MATCH}))
           AND NOT EXISTS (SELECT 1 FROM eligibility_rules r
                           WHERE r.importer_id = :importer_id AND NOT r.include
                             AND {_RULE_MATCH}) AS eligible
    FROM vehicles v
    WHERE v.importer_id = :importer_id
)"""

# Connected: the vehicle (whichever workshop invited it) has an activation within
# 7 x 24 h of the departure (instants, not calendar days: "168 hours", because
# "7 days" follows a DST change in the session timezone) not deactivated by then.
_CONNECTED = """EXISTS (
        SELECT 1 FROM activations a
        WHERE a.importer_id = :importer_id AND a.vehicle_id = t.vehicle_id
          AND a.activated_at IS NOT NULL
          AND a.activated_at <= t.departed_at + interval '168 hours'
          AND (a.deactivated_at IS NULL OR a.deactivated_at > t.departed_at))"""


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
    _Source(
        "visits",
        "t.departed_at",
        {
            "throughput": "count(*)",
            "eligible": "count(*) FILTER (WHERE ev.eligible)",
            "connected": f"count(*) FILTER (WHERE ev.eligible AND {_CONNECTED})",
        },
        joins="JOIN eligible_vehicles ev ON ev.vehicle_id = t.vehicle_id",
    ),
    _Source(
        "staff_activity",
        "t.day",
        {"staff_rows": "count(*)", "staff_actions": "sum(t.actions)"},
        is_date=True,
    ),
)

COLUMNS: tuple[str, ...] = tuple(c for s in _SOURCES for c in s.aggregates)


def _workshop_day_insert() -> str:
    union = "\n        UNION ALL".join(source.select(COLUMNS) for source in _SOURCES)
    sums = ", ".join(f"sum({c})" for c in COLUMNS)
    return f"""
    WITH {_ELIGIBLE_VEHICLES}
    INSERT INTO workshop_day (workshop_id, day, importer_id, {", ".join(COLUMNS)})
    SELECT workshop_id, day, :importer_id, {sums}
    FROM ({union}) AS parts
    GROUP BY workshop_id, day"""


def _users_select(kind: str, table: str, user_column: str) -> str:
    return f"""
    SELECT workshop_id, '{kind}', day, :importer_id,
           array_agg(DISTINCT {user_column} ORDER BY {user_column})
    FROM {table}
    WHERE importer_id = :importer_id AND day BETWEEN :lo_day AND :hi_day
      AND {_UP_TO_AS_OF.format(day="day")}
    GROUP BY workshop_id, day"""


_USERS_INSERT = (
    "INSERT INTO workshop_day_users (workshop_id, kind, day, importer_id, user_ids)"
    + _users_select("staff", "staff_activity", "staff_user_id")
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
    for table in ("workshop_day", "workshop_day_users"):
        delete = f"DELETE FROM {table} WHERE importer_id = :importer_id AND {_CHOSEN}"
        await conn.execute(text(delete.format(day="day")), params)
    await conn.execute(text(_workshop_day_insert()), params)
    await conn.execute(text(_USERS_INSERT), params)
    await conn.execute(text(_STATS_REFRESH), {"importer_id": importer_id})
