"""Generate a large, realistic data set straight into the raw tables, set-based.

Every table is one ``INSERT ... SELECT`` over ``generate_series``; every random
choice is a hash of the row's key (``hashint8extended``), so the same parameters
give the same rows on any machine and any plan (``setseed`` is set too, for any
``random()`` a later edit might add). The CSV ingestion path is measured on its
own (``bench/ingest_visits.py``); this only builds the data the dashboards and
the processing job are measured on.

One importer (Europe/Copenhagen), ``workshops`` workshops, ``days`` days ending
at as-of (the day before ``today``):

- visits: ~5 per workshop and day (weekdays busy, Saturdays light, Sundays
  nearly empty; spring and autumn tyre seasons), 4 % departing 20:00-23:59 UTC
  (the next local day in summer), 8 % staying 1-3 nights, cars still in the
  workshop at as-of without a departure;
- vehicles: 1,200 per workshop, 90 % of visits from the home workshop's own;
  eligibility rules include VW and exclude VW before model year 2012;
- activations: 60 % of departing eligible vehicles invited, two thirds of those
  activated 0-10 days later (skewed early, so ~40 % activated), 5 % later
  deactivated;
- chats (~3 per workshop-day), campaigns (~8 % of weekdays), staff activity
  (3-6 users per workshop, most weekdays), app activity (300 app users per
  workshop, a few a day, the same ones returning);
- leads: 60 % marketplace (a fifth of them exclusive), 40 % direct; a shared
  marketplace lead is offered to 2-4 partners and the first to answer in time
  accepts, an exclusive or direct lead to one; lead events on every accepted
  lead (feedback, first contact, won or lost, ratings), none after as-of.

Run alone: ``python -m bench.generate --set partners [--fresh]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

import asyncpg

from bench import databases

TODAY = date(2026, 11, 24)
TIMEZONE = "Europe/Copenhagen"
IMPORTER_REF = "bench"
OFFERS_PER_LEAD = 0.6 * (0.8 * 3 + 0.2) + 0.4  # shared marketplace 2-4, else 1


@dataclass(frozen=True)
class Shape:
    """What a generated data set holds."""

    workshops: int
    days: int
    partners: int
    offers: int
    vehicles_per_workshop: int = 1200
    today: date = TODAY

    def params(self) -> dict[str, Any]:
        return {**asdict(self), "today": self.today.isoformat(), "version": 1}


PRESETS = {
    "activations": Shape(workshops=500, days=365, partners=50, offers=400_000),
    "partners": Shape(workshops=100, days=365, partners=200, offers=1_000_000),
}

_FUNCTIONS = """
CREATE FUNCTION pg_temp.u(k bigint, salt bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(k, salt) & 4503599627370495)::float8 / 4503599627370496.0 $$;

CREATE FUNCTION pg_temp.at_local(d date, secs float8) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT (d::timestamp + make_interval(secs => secs)) AT TIME ZONE '{tz}' $$;

CREATE FUNCTION pg_temp.secs(s float8) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT make_interval(secs => s) $$;

SELECT setseed(0.42);
-- Every foreign key holds by construction: skip the per-row checks (triggers).
SET session_replication_role = replica;
"""

# (table, statement): run in this order; ids are explicit where later rows need them.
_STEPS: tuple[tuple[str, str], ...] = (
    (
        "importers",
        """INSERT INTO importers (id, importer_ref, name, timezone, connection_rate_goal,
               lead_due_days, lead_rating_enabled, customer_rating_enabled)
           VALUES (1, '{importer}', 'Bench importer', '{tz}', 0.35, 30, true, true)""",
    ),
    (
        "workshops",
        """INSERT INTO workshops (id, importer_id, workshop_ref, name, city, connection_rate_goal)
           SELECT w, 1, 'W' || lpad(w::text, 4, '0'), 'Workshop ' || w,
                  (ARRAY['Aarhus','Odense','Aalborg','Esbjerg','Vejle','Roskilde',
                         'Kolding','Horsens','Randers','Viborg'])[1 + w % 10],
                  CASE WHEN w % 7 = 0 THEN 0.45 END
           FROM generate_series(1, {W}) w""",
    ),
    (
        "eligibility_rules",
        """INSERT INTO eligibility_rules (importer_id, make, model, year_from, year_to, include)
           VALUES (1, 'VW', NULL, NULL, NULL, true), (1, 'VW', NULL, NULL, 2011, false)""",
    ),
    (
        "marketplaces",
        """INSERT INTO marketplaces (id, importer_id, marketplace_ref, name)
           VALUES (1, 1, 'MP1', 'AutoMarket'), (2, 1, 'MP2', 'CarDeals')""",
    ),
    (
        "sales_partners",
        """INSERT INTO sales_partners (id, importer_id, partner_ref, name, workshop_id,
               partner_since)
           SELECT p, 1, 'P' || lpad(p::text, 3, '0'), 'Partner ' || p,
                  CASE WHEN p % 2 = 1 AND p <= {W} THEN p END,
                  DATE '{first}' - 30 - floor(pg_temp.u(p, 1) * 1500)::int
           FROM generate_series(1, {P}) p""",
    ),
    (
        "(workshop days)",
        """CREATE TEMP TABLE ws_day AS
           SELECT w, d, DATE '{first}' + d AS day,
                  extract(isodow FROM DATE '{first}' + d)::int AS dow,
                  w::bigint * 1000 + d AS key,
                  0.5 + pg_temp.u(w, 2) AS size,
                  1 + 0.15 * cos(4 * pi() * (extract(doy FROM DATE '{first}' + d) - 105)
                                 / 365.25) AS season
           FROM generate_series(1, {W}) w CROSS JOIN generate_series(0, {D} - 1) d""",
    ),
    (
        "vehicles",
        """INSERT INTO vehicles (id, importer_id, vin, make, model, model_year)
           SELECT i, 1, 'WVW' || lpad(i::text, 14, '0'),
                  CASE WHEN pg_temp.u(i, 41) < 0.85 THEN 'VW'
                       WHEN pg_temp.u(i, 41) < 0.95 THEN 'Skoda' ELSE 'Audi' END,
                  (ARRAY['Golf','Polo','Passat','ID.3','ID.4','Tiguan','T-Roc'])
                      [1 + floor(pg_temp.u(i, 42) * 7)::int],
                  2006 + floor(pg_temp.u(i, 43) * 21)::int
           FROM generate_series(1, {V}) i""",
    ),
    (
        "visits",
        """INSERT INTO visits (importer_id, visit_ref, workshop_id, vehicle_id, arrived_at,
               departed_at)
           SELECT 1, 'V' || x.w || '-' || x.d || '-' || k, x.w, a.vehicle, a.arrived,
                  CASE WHEN b.departed < {cutoff} THEN b.departed END
           FROM ws_day x
           CROSS JOIN LATERAL generate_series(1, floor(
               5 * x.size * x.season
               * CASE WHEN x.dow <= 5 THEN 1.25 WHEN x.dow = 6 THEN 0.55 ELSE 0.1 END
               + pg_temp.u(x.key, 11))::int) k
           CROSS JOIN LATERAL (SELECT
               CASE WHEN pg_temp.u(x.key * 64 + k, 12) < 0.9
                    THEN (x.w - 1) * {K} + 1 + floor(pg_temp.u(x.key * 64 + k, 13) * {K})
                    ELSE 1 + floor(pg_temp.u(x.key * 64 + k, 13) * {V}) END::int AS vehicle,
               pg_temp.at_local(x.day, 25200 + pg_temp.u(x.key * 64 + k, 14) * 10800)
                   AS arrived,
               pg_temp.u(x.key * 64 + k, 15) AS kind,
               pg_temp.u(x.key * 64 + k, 16) AS r) a
           CROSS JOIN LATERAL (SELECT CASE
               WHEN a.kind < 0.04
                   THEN (x.day::timestamp AT TIME ZONE 'UTC') + pg_temp.secs(72000 + a.r * 14399)
               WHEN a.kind < 0.12
                   THEN a.arrived + pg_temp.secs(86400 * (1 + floor(a.r * 3)) + a.r * 7200)
               ELSE a.arrived + pg_temp.secs(3600 + a.r * 28800) END AS departed) b""",
    ),
    (
        "activations",
        """INSERT INTO activations (importer_id, vehicle_id, workshop_id, invited_at,
               activated_at, deactivated_at)
           SELECT 1, t.vehicle_id, t.workshop_id, t.invited,
                  CASE WHEN t.activated < {cutoff} THEN t.activated END,
                  CASE WHEN t.activated < {cutoff} AND t.deactivated < {cutoff}
                       THEN t.deactivated END
           FROM (SELECT vi.vehicle_id, vi.workshop_id,
                        vi.departed_at + interval '5 minutes' AS invited,
                        CASE WHEN pg_temp.u(vi.id, 52) < 0.67 THEN vi.departed_at
                             + pg_temp.secs(600 + 864000 * pg_temp.u(vi.id, 53) ^ 2) END
                            AS activated,
                        CASE WHEN pg_temp.u(vi.id, 54) < 0.05 THEN vi.departed_at
                             + pg_temp.secs(864000 + 86400 * 120 * pg_temp.u(vi.id, 55)) END
                            AS deactivated
                 FROM visits vi JOIN vehicles v ON v.id = vi.vehicle_id
                 WHERE vi.departed_at IS NOT NULL AND v.make = 'VW' AND v.model_year >= 2012
                   AND pg_temp.u(vi.id, 51) < 0.6) t
           ON CONFLICT (vehicle_id, invited_at) DO NOTHING""",
    ),
    (
        "chats",
        """INSERT INTO chats (importer_id, conversation_ref, workshop_id, started_at, messages,
               first_response_at)
           SELECT 1, 'C' || x.w || '-' || x.d || '-' || k, x.w, s.started,
                  1 + floor(pg_temp.u(x.key * 64 + k, 22) ^ 2 * 30)::int,
                  CASE WHEN pg_temp.u(x.key * 64 + k, 23) < 0.85
                        AND s.started + s.wait < {cutoff} THEN s.started + s.wait END
           FROM ws_day x
           CROSS JOIN LATERAL generate_series(1, floor(
               3 * x.size * CASE WHEN x.dow <= 5 THEN 1.2 ELSE 0.5 END
               + pg_temp.u(x.key, 21))::int) k
           CROSS JOIN LATERAL (SELECT
               pg_temp.at_local(x.day, 28800 + pg_temp.u(x.key * 64 + k, 24) * 39600) AS started,
               pg_temp.secs(30 + pg_temp.u(x.key * 64 + k, 25) ^ 3 * 21600) AS wait) s""",
    ),
    (
        "campaigns",
        """INSERT INTO campaigns (importer_id, campaign_ref, workshop_id, sent_at, recipients)
           SELECT 1, 'K' || x.w || '-' || x.d, x.w, pg_temp.at_local(x.day, 36000),
                  50 + floor(pg_temp.u(x.key, 32) * 1500)::int
           FROM ws_day x
           WHERE x.dow <= 5 AND pg_temp.u(x.key, 31) < 0.08""",
    ),
    (
        "staff_users",
        """INSERT INTO staff_users (id, importer_id, user_ref)
           SELECT (w - 1) * 8 + s, 1, 'S' || w || '-' || s
           FROM generate_series(1, {W}) w
           CROSS JOIN LATERAL generate_series(1, 3 + floor(pg_temp.u(w, 3) * 4)::int) s""",
    ),
    (
        "staff_activity",
        """INSERT INTO staff_activity (staff_user_id, workshop_id, day, importer_id, actions)
           SELECT (x.w - 1) * 8 + s, x.w, x.day, 1,
                  1 + floor(pg_temp.u(x.key * 8 + s, 34) * 40)::int
           FROM ws_day x
           CROSS JOIN LATERAL generate_series(1, 3 + floor(pg_temp.u(x.w, 3) * 4)::int) s
           WHERE pg_temp.u(x.key * 8 + s, 33)
                 < CASE WHEN x.dow <= 5 THEN 0.8 WHEN x.dow = 6 THEN 0.3 ELSE 0.05 END""",
    ),
    (
        "app_users",
        """INSERT INTO app_users (id, importer_id, app_user_ref)
           SELECT i, 1, 'A' || i FROM generate_series(1, {W} * 300) i""",
    ),
    (
        "app_activity",
        """INSERT INTO app_activity (app_user_id, workshop_id, day, importer_id)
           SELECT DISTINCT
                  (x.w - 1) * 300 + 1 + floor(300 * pg_temp.u(x.key * 64 + k, 36) ^ 2)::int,
                  x.w, x.day, 1
           FROM ws_day x
           CROSS JOIN LATERAL generate_series(
               1, floor(6 * x.size + pg_temp.u(x.key, 35))::int) k""",
    ),
    (
        "leads",
        """INSERT INTO leads (id, importer_id, lead_ref, created_at, source, marketplace_id,
               exclusive, workshop_id)
           SELECT i, 1, 'L' || i,
                  pg_temp.at_local(DATE '{first}' + floor(pg_temp.u(i, 61) * {D})::int,
                                   28800 + pg_temp.u(i, 62) * 36000),
                  CASE WHEN pg_temp.u(i, 63) < 0.6 THEN 'MARKETPLACE' ELSE 'DIRECT' END,
                  CASE WHEN pg_temp.u(i, 63) < 0.6
                       THEN CASE WHEN pg_temp.u(i, 64) < 0.65 THEN 1 ELSE 2 END END,
                  pg_temp.u(i, 63) < 0.6 AND pg_temp.u(i, 65) < 0.2,
                  CASE WHEN pg_temp.u(i, 66) < 0.9 THEN 1 + floor(pg_temp.u(i, 67) * {W})::int END
           FROM generate_series(1, {L}) i""",
    ),
    (
        "lead_offers",
        # Offered together; the acceptor (if any) answers first, the others decline
        # or let the offer expire after 48 h; answers not due by as-of are PENDING.
        """INSERT INTO lead_offers (importer_id, lead_id, partner_id, offered_at, expires_at,
               response, responded_at)
           SELECT 1, o.lead_id, o.partner_id, o.offered, o.offered + interval '48 hours',
                  CASE WHEN o.response = 'EXPIRED' AND o.offered + interval '48 hours' < {cutoff}
                         OR o.response <> 'EXPIRED' AND o.answered < {cutoff}
                       THEN o.response ELSE 'PENDING' END,
                  CASE WHEN o.response <> 'EXPIRED' AND o.answered < {cutoff} THEN o.answered END
           FROM (SELECT l.id AS lead_id, l.created_at + interval '1 minute' AS offered,
                        (floor({P} * pg_temp.u(l.id, 76) ^ 1.3)::int + j * {stride}) % {P} + 1
                            AS partner_id,
                        CASE WHEN j = n.acceptor THEN 'ACCEPTED'
                             WHEN pg_temp.u(l.id * 4 + j, 75) < 0.5 THEN 'DECLINED'
                             ELSE 'EXPIRED' END AS response,
                        l.created_at + interval '1 minute' + CASE WHEN j = n.acceptor
                            THEN pg_temp.secs(300 + 129600 * pg_temp.u(l.id, 74) ^ 2)
                            ELSE pg_temp.secs(300 + 129600 * pg_temp.u(l.id * 4 + j, 77)) END
                            AS answered
                 FROM leads l
                 CROSS JOIN LATERAL (SELECT
                     CASE WHEN l.source = 'MARKETPLACE' AND NOT l.exclusive
                          THEN 2 + floor(pg_temp.u(l.id, 71) * 3)::int ELSE 1 END AS offers) k
                 CROSS JOIN LATERAL (SELECT
                     CASE WHEN pg_temp.u(l.id, 72) < CASE WHEN k.offers = 1 THEN 0.9 ELSE 0.88 END
                          THEN floor(pg_temp.u(l.id, 73) * k.offers)::int ELSE -1 END
                         AS acceptor) n
                 CROSS JOIN LATERAL generate_series(0, k.offers - 1) j) o""",
    ),
    (
        "lead_events",
        """INSERT INTO lead_events (importer_id, lead_id, partner_id, occurred_at, kind, value)
           SELECT 1, o.lead_id, o.partner_id, e.at, e.kind, e.value
           FROM lead_offers o
           CROSS JOIN LATERAL (SELECT
               pg_temp.u(o.lead_id, 81) AS fb,
               pg_temp.u(o.lead_id, 86) < 0.4 AS won,
               CASE WHEN pg_temp.u(o.lead_id, 87) < 0.7 THEN o.responded_at
                    + pg_temp.secs(86400 * (2 + 50 * pg_temp.u(o.lead_id, 88))) END AS closed) c
           CROSS JOIN LATERAL (VALUES
               ('FEEDBACK', CASE WHEN c.fb < 0.8 THEN o.responded_at
                   + pg_temp.secs(3600 + 259200 * pg_temp.u(o.lead_id, 82)) END, NULL::int),
               ('FEEDBACK', CASE WHEN c.fb < 0.5 THEN o.responded_at
                   + pg_temp.secs(432000 + 864000 * pg_temp.u(o.lead_id, 83)) END, NULL),
               ('FEEDBACK', CASE WHEN c.fb < 0.25 THEN o.responded_at
                   + pg_temp.secs(1382400 + 1728000 * pg_temp.u(o.lead_id, 84)) END, NULL),
               ('FIRST_CONTACT', CASE WHEN pg_temp.u(o.lead_id, 85) < 0.85 THEN o.responded_at
                   + pg_temp.secs(600 + 345600 * pg_temp.u(o.lead_id, 89) ^ 2) END, NULL),
               (CASE WHEN c.won THEN 'WON' ELSE 'LOST' END, c.closed, NULL),
               ('LEAD_RATING', CASE WHEN pg_temp.u(o.lead_id, 90) < 0.6 THEN o.responded_at
                   + pg_temp.secs(86400 + 172800 * pg_temp.u(o.lead_id, 91)) END,
                1 + floor(pg_temp.u(o.lead_id, 92) * 5)::int),
               ('CUSTOMER_RATING', CASE WHEN c.won AND pg_temp.u(o.lead_id, 93) < 0.6
                   THEN c.closed + interval '2 days' END,
                1 + floor(pg_temp.u(o.lead_id, 94) ^ 0.5 * 5)::int)
           ) e (kind, at, value)
           WHERE o.response = 'ACCEPTED' AND e.at IS NOT NULL AND e.at < {cutoff}""",
    ),
)

_SERIAL_TABLES = (
    "importers",
    "workshops",
    "eligibility_rules",
    "marketplaces",
    "sales_partners",
    "vehicles",
    "visits",
    "activations",
    "chats",
    "campaigns",
    "staff_users",
    "app_users",
    "leads",
    "lead_offers",
    "lead_events",
)


def _values(shape: Shape) -> dict[str, object]:
    if shape.days >= 1000:
        raise ValueError(f"days={shape.days}: row keys leave room for at most 999 days")
    if shape.partners < 8:
        raise ValueError(f"partners={shape.partners}: need at least 8 (leads go to up to 4)")
    as_of = shape.today - timedelta(days=1)
    return {
        "tz": TIMEZONE,
        "importer": IMPORTER_REF,
        "W": shape.workshops,
        "D": shape.days,
        "K": shape.vehicles_per_workshop,
        "V": shape.workshops * shape.vehicles_per_workshop,
        "P": shape.partners,
        "L": round(shape.offers / OFFERS_PER_LEAD),
        "stride": shape.partners // 4,
        "first": (as_of - timedelta(days=shape.days - 1)).isoformat(),
        "cutoff": f"(DATE '{shape.today.isoformat()}'::timestamp AT TIME ZONE '{TIMEZONE}')",
    }


async def generate(
    url: str, shape: Shape, *, say: Callable[[str], None] = print
) -> dict[str, float]:
    """Fill the raw tables of the empty, migrated database at ``url``; then ANALYZE.

    Returns:
        Seconds per step (table), plus ``total``.
    """
    values = _values(shape)
    seconds: dict[str, float] = {}
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(_FUNCTIONS.format(**values))
        started = time.perf_counter()
        for table, sql in _STEPS:
            step = time.perf_counter()
            status = await conn.execute(sql.format(**values))
            seconds[table] = time.perf_counter() - step
            tail = status.rsplit(" ", 1)[-1]
            rows = int(tail) if tail.isdigit() else 0
            say(f"  {table:<18} {rows:>11,} rows {seconds[table]:7.1f} s")
        for table in _SERIAL_TABLES:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        step = time.perf_counter()
        await conn.execute("ANALYZE")
        seconds["analyze"] = time.perf_counter() - step
        say(f"  {'ANALYZE':<18} {'':>16} {seconds['analyze']:7.1f} s")
        seconds["total"] = time.perf_counter() - started
    finally:
        await conn.close()
    return seconds


async def prepared(
    server_url: str, name: str, shape: Shape, *, fresh: bool, say: Callable[[str], None] = print
) -> tuple[str, dict[str, int], dict[str, float] | None]:
    """The URL of the database ``name`` holding ``shape``: reused when it still matches
    (and not ``fresh``), else generated. Returns (url, row counts, generation seconds
    or None when reused)."""
    url = databases.with_database(server_url, name)
    if not fresh and await databases.reusable(server_url, name, shape.params()):
        say(f"reusing {name}")
        return url, await databases.row_counts(url), None
    say(f"generating {name}")
    url = await databases.fresh(server_url, name)
    seconds = await generate(url, shape, say=say)
    counts = await databases.record(server_url, name, shape.params())
    return url, counts, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a benchmark data set (set-based SQL).")
    parser.add_argument("--set", choices=sorted(PRESETS), default="activations")
    parser.add_argument("--workshops", type=int)
    parser.add_argument("--days", type=int)
    parser.add_argument("--partners", type=int)
    parser.add_argument("--offers", type=int)
    parser.add_argument("--fresh", action="store_true", help="regenerate even if reusable")
    args = parser.parse_args()
    shape = PRESETS[args.set]
    for field in ("workshops", "days", "partners", "offers"):
        if getattr(args, field) is not None:
            shape = replace(shape, **{field: getattr(args, field)})
    server_url = databases.start_server()
    name = f"insights_bench_{args.set}"
    _, counts, seconds = asyncio.run(prepared(server_url, name, shape, fresh=args.fresh))
    print(f"{sum(counts.values()):,} rows", end="")
    print(f" generated in {seconds['total']:.1f} s" if seconds else " (reused)")


if __name__ == "__main__":
    main()
