"""Which days a change touches (ARCHITECTURE.md), one SQL snippet per kind.

Each snippet selects ``(importer_id, domain, day)`` from ``changed r``: the old
and the new version of every row the load inserted or really changed (rows
sent again unchanged touch nothing), each with its importer's timezone ``r.tz``.
Snippets run in the same statement as the upsert, so a table they read (other
than through ``changed``) still shows its state from before the load.

A day is the calendar day of a timestamp in the importer's timezone. Marking a
superset is correct (processing recomputes those days); missing one is not.
"""

from __future__ import annotations


def local_day(timestamp: str) -> str:
    return f"({timestamp} AT TIME ZONE r.tz)::date"


def _offer_days(lead_id: str) -> str:
    """Partner days of every stored offer of the lead: offered and responded."""
    return f"""SELECT r.importer_id, 'partner', {local_day("x.at")}
        FROM changed r JOIN lead_offers o ON o.lead_id = r.{lead_id}
        CROSS JOIN LATERAL (VALUES (o.offered_at), (o.responded_at)) AS x (at)
        WHERE x.at IS NOT NULL"""


def _departure_days(vehicle_id: str) -> str:
    """Workshop days of every departure of the vehicle (its connection counts)."""
    return f"""SELECT r.importer_id, 'workshop', {local_day("v.departed_at")}
        FROM changed r JOIN visits v ON v.vehicle_id = r.{vehicle_id}
        WHERE v.departed_at IS NOT NULL"""


def _own_day(column: str, domain: str = "workshop") -> str:
    return f"""SELECT r.importer_id, '{domain}', {local_day(f"r.{column}")}
        FROM changed r WHERE r.{column} IS NOT NULL"""


TOUCHED_DAYS: dict[str, str] = {
    # Eligibility depends on make/model/year: every departure of the vehicle.
    "vehicles": _departure_days("id"),
    "visits": _own_day("departed_at"),
    # Connected-at-departure looks at activations around each departure, and a
    # deactivation reaches every later one: all departures of the vehicle.
    "activations": _own_day("activated_at") + " UNION ALL " + _departure_days("vehicle_id"),
    "chats": _own_day("started_at"),
    "leads": _own_day("created_at") + " UNION ALL " + _offer_days("id"),
    # Outflow of a lead depends on the other partners' offers of that lead, so
    # every offer of the lead, stored or just sent, marks its days.
    "lead_offers": _offer_days("lead_id")
    + " UNION ALL "
    + _own_day("offered_at", "partner")
    + " UNION ALL "
    + _own_day("responded_at", "partner"),
    # An event reaches the acceptance cohort of its lead.
    "lead_events": _offer_days("lead_id"),
    "app_activity": "SELECT r.importer_id, 'workshop', r.day FROM changed r",
    "staff_activity": "SELECT r.importer_id, 'workshop', r.day FROM changed r",
    "campaigns": _own_day("sent_at"),
}

# Changes that move every day of an importer: each snippet selects importer ids
# from ``up`` (the rows as written) and the target table (as before the load).
# Eligibility rules also set it, from the rules writer (a rule set has no key).
REBUILD_ALL: dict[str, str] = {
    "importers": """SELECT n.id FROM up n JOIN importers o ON o.id = n.id
        WHERE o.timezone <> n.timezone""",
}
