"""The canonical requests of ``insights bench`` and their one-statement floors.

Each request is a GraphQL document an importer user sends; its floor is one SQL
statement that returns the same numbers from the rollup tables the server reads
(the least any server must do), so ``floor_ratio`` = our p50 / the floor's p50.
Requests without a floor written here report ``floor_ratio`` null and say so.
"""

from __future__ import annotations

import base64
import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.generate import TIMEZONE
from bench.queries import PARTNER_CARDS

PERIOD = "{preset: LAST_30_DAYS}"
_TREND = "trend { previous change changePercent direction favorable }"
_SERIES = "series { date value }"

# Every metric of the activations dashboard, value and trend.
_METRICS = f"""
    newActivations {{ value {_TREND} }}
    leadsCreated {{ value {_TREND} }}
    chatConversations {{ value {_TREND} }}
    chatMessages {{ value {_TREND} }}
    chatFirstResponseTime {{ value {_TREND} }}
    activeStaff {{ value {_TREND} }}
    appUsers {{ value {_TREND} }}
    marketingCampaignsSent {{ value recipients {_TREND} }}
    connectionRate {{ rate throughput eligible connected {_TREND} }}"""

_METRICS_WITH_SERIES = f"""
    newActivations {{ value {_TREND} {_SERIES} }}
    leadsCreated {{ value {_TREND} {_SERIES} }}
    chatConversations {{ value {_TREND} {_SERIES} }}
    chatMessages {{ value {_TREND} {_SERIES} }}
    chatFirstResponseTime {{ value {_TREND} }}
    activeStaff {{ value {_TREND} {_SERIES} }}
    appUsers {{ value {_TREND} {_SERIES} }}
    marketingCampaignsSent {{ value recipients {_TREND} }}
    connectionRate {{
      rate throughput eligible connected {_TREND}
      series {{ date rate throughput eligible connected }}
    }}"""

_FIVE = f"""
    newActivations {{ value {_TREND} }}
    leadsCreated {{ value {_TREND} }}
    chatConversations {{ value {_TREND} }}
    chatMessages {{ value {_TREND} }}
    connectionRate {{ rate {_TREND} }}"""


def workshop_ref(n: int) -> str:
    """The ref bench/generate.py gives workshop ``n`` (1-based)."""
    return f"W{n:04d}"


def _cursor_after(n: int) -> str:
    """The ``workshops(after:)`` cursor that starts a page after workshop ``n``."""
    return base64.urlsafe_b64encode(f"workshop:{workshop_ref(n)}".encode()).decode()


def _pages(workshops: int, fields: str, page: int = 500) -> str:
    """Every workshop as aliased pages of ``page`` (the API's largest)."""
    parts = []
    for start in range(0, workshops, page):
        after = f', after: "{_cursor_after(start)}"' if start else ""
        parts.append(
            f"  p{start // page}: workshops(first: {min(page, workshops - start)}{after}) "
            f"{{ nodes {{ id {fields} }} }}"
        )
    return "{\n" + "\n".join(parts) + "\n}"


@dataclass(frozen=True)
class Request:
    name: str
    query: str
    floor: str | None  # SQL over the rollups; $1 importer, $2..$5 period bounds (dates)
    floor_args: str = "period"  # which extra arguments the floor takes (see floor_args())


def requests(workshops: int, partners: int) -> list[Request]:
    """The canonical requests for a generated set of this size."""
    some = min(50, partners)
    refs = [f"P{n:03d}" for n in range(1, some + 1)]
    aliased = [
        f'  p{n}: salesPartner(id: "{ref}") {{ id dashboard(filter: '
        f"{{period: {{preset: CURRENT_QUARTER}}}}) {{ ...Cards }} }}"
        for n, ref in enumerate(refs, start=1)
    ]
    leads = f"dashboard(period: {PERIOD}) {{ leadsCreated {{ value trend {{ previous }} }} }}"
    return [
        Request(
            "a_importer_dashboard",
            f"{{ activationsDashboard(period: {PERIOD}) {{ {_METRICS} }} }}",
            FLOOR_DASHBOARD,
        ),
        Request(
            "a_importer_dashboard_daily",
            f"{{ activationsDashboard(period: {PERIOD}) {{ {_METRICS_WITH_SERIES} }} }}",
            FLOOR_DASHBOARD_DAILY,
        ),
        Request("b_leads_per_workshop", _pages(workshops, leads), FLOOR_LEADS_PER_WORKSHOP),
        Request(
            "c_500_workshops_5_metrics",
            f"{{ workshops(first: {min(500, workshops)}) {{ nodes {{ id "
            f"dashboard(period: {PERIOD}) {{ {_FIVE} }} }} }} }}",
            FLOOR_WORKSHOPS_FIVE,
            floor_args="period+limit",
        ),
        Request(
            "one_workshop_dashboard",
            f'{{ workshop(id: "{workshop_ref(1)}") {{ dashboard(period: {PERIOD}) '
            f"{{ {_METRICS} }} }} }}",
            FLOOR_ONE_WORKSHOP,
            floor_args="period+workshop",
        ),
        Request(
            "one_partner_dashboard",
            "{\n" + aliased[0] + "\n}\n" + PARTNER_CARDS,
            FLOOR_PARTNERS,
            floor_args="quarter+partners:1",
        ),
        Request(
            f"partner_dashboards_{some}",
            "{\n" + "\n".join(aliased) + "\n}\n" + PARTNER_CARDS,
            FLOOR_PARTNERS,
            floor_args=f"quarter+partners:{some}",
        ),
    ]


# -- floors ------------------------------------------------------------------------

_SUMS = """sum(d.new_activations), sum(d.leads_created), sum(d.chats), sum(d.chat_messages),
       sum(d.chat_response_seconds) / nullif(sum(d.chat_responses), 0),
       sum(d.campaigns), sum(d.campaign_recipients),
       sum(d.connected)::float8 / nullif(sum(d.eligible), 0), sum(d.throughput),
       sum(d.eligible), sum(d.connected)"""


def _distinct(lo: str, hi: str, scope: str) -> str:
    """Exact distinct staff and app users over the days [lo, hi]."""
    return f"""(SELECT count(DISTINCT u.id) FILTER (WHERE x.kind = 'staff')
                || '/' || count(DISTINCT u.id) FILTER (WHERE x.kind = 'app')
         FROM workshop_day_users x CROSS JOIN LATERAL unnest(x.user_ids) AS u(id)
         WHERE x.importer_id = $1 AND x.day BETWEEN {lo} AND {hi} {scope})"""


def _dashboard(scope: str = "") -> str:
    users = scope.replace("d.", "x.")
    return f"""
SELECT p.current, {_SUMS},
       CASE WHEN p.current THEN {_distinct("$4", "$5", users)}
            ELSE {_distinct("$2", "$3", users)} END
FROM workshop_day d
CROSS JOIN LATERAL (SELECT d.day >= $4 AS current) p
WHERE d.importer_id = $1 AND d.day BETWEEN $2 AND $5 {scope}
GROUP BY p.current"""


FLOOR_DASHBOARD = _dashboard()
FLOOR_ONE_WORKSHOP = _dashboard("AND d.workshop_id = $6")

FLOOR_DASHBOARD_DAILY = f"""
WITH totals AS ({FLOOR_DASHBOARD}),
users AS (
    SELECT x.day, count(DISTINCT u.id) FILTER (WHERE x.kind = 'staff') AS staff,
           count(DISTINCT u.id) FILTER (WHERE x.kind = 'app') AS app
    FROM workshop_day_users x CROSS JOIN LATERAL unnest(x.user_ids) AS u(id)
    WHERE x.importer_id = $1 AND x.day BETWEEN $2 AND $5
    GROUP BY x.day
),
daily AS (
    SELECT d.day, {_SUMS}
    FROM workshop_day d
    WHERE d.importer_id = $1 AND d.day BETWEEN $2 AND $5
    GROUP BY d.day
)
SELECT (SELECT json_agg(totals) FROM totals),
       (SELECT json_agg(daily) FROM daily LEFT JOIN users USING (day))"""

FLOOR_LEADS_PER_WORKSHOP = """
SELECT w.id, coalesce(sum(d.leads_created) FILTER (WHERE d.day >= $4), 0),
       coalesce(sum(d.leads_created) FILTER (WHERE d.day <= $3), 0)
FROM workshops w
LEFT JOIN workshop_day d ON d.workshop_id = w.id AND d.day BETWEEN $2 AND $5
WHERE w.importer_id = $1
GROUP BY w.id"""


def _five(days: str) -> str:
    """The five metrics of (c) over the days matching ``days``."""
    f = f"FILTER (WHERE {days})"
    return (
        f"sum(d.new_activations) {f}, sum(d.leads_created) {f}, sum(d.chats) {f},"
        f" sum(d.chat_messages) {f},"
        f" sum(d.connected) {f}::float8 / nullif(sum(d.eligible) {f}, 0)"
    )


FLOOR_WORKSHOPS_FIVE = f"""
WITH page AS (SELECT id FROM workshops WHERE importer_id = $1 ORDER BY workshop_ref LIMIT $6)
SELECT p.id, {_five("d.day >= $4")}, {_five("d.day <= $3")}
FROM page p
LEFT JOIN workshop_day d ON d.workshop_id = p.id AND d.day BETWEEN $2 AND $5
GROUP BY p.id"""

# Every card of the partner dashboard for some partners, from the four partner
# rollups: the period and its previous one summed per partner, open leads (and
# overdue ones), leads ever received, outflow by receiving partner. $2..$5 are
# the previous and the current period ([from, to] each), $6 the partner refs.
_IN_PERIODS = "(r.day BETWEEN $2 AND $3 OR r.day BETWEEN $4 AND $5)"
FLOOR_PARTNERS = f"""
WITH chosen AS (
    SELECT id FROM sales_partners WHERE importer_id = $1 AND partner_ref = ANY($6::text[])
),
offers_rows AS (
    SELECT r.partner_id, r.day >= $4 AS current, sum(r.offers) AS offers,
           sum(r.accepted) AS accepted, sum(r.declined) AS declined, sum(r.expired) AS expired,
           sum(r.accept_seconds) / nullif(sum(r.accepted), 0) AS to_accept,
           sum(r.decline_seconds) / nullif(sum(r.declined), 0) AS to_decline
    FROM partner_offer_day r JOIN chosen c ON c.id = r.partner_id
    WHERE r.importer_id = $1 AND {_IN_PERIODS}
    GROUP BY 1, 2
),
cohorts_rows AS (
    SELECT r.partner_id, r.day >= $4 AS current, sum(r.cohort) AS cohort,
           sum(r.with_feedback) AS with_feedback,
           sum(r.feedback_seconds) / nullif(sum(r.with_feedback), 0) AS to_feedback,
           sum(r.won) AS won, sum(r.lost) AS lost,
           sum(r.contact_seconds) / nullif(sum(r.contacted), 0) AS to_contact,
           sum(r.cycle_seconds) / nullif(sum(r.closed), 0) AS cycle,
           sum(r.lead_rating_sum)::float8 / nullif(sum(r.lead_ratings), 0) AS lead_rating,
           sum(r.customer_rating_sum)::float8 / nullif(sum(r.customer_ratings), 0)
               AS customer_rating
    FROM partner_cohort_day r JOIN chosen c ON c.id = r.partner_id
    WHERE r.importer_id = $1 AND {_IN_PERIODS}
    GROUP BY 1, 2
),
pipeline_rows AS (
    SELECT c.id AS partner_id,
           (SELECT sum(o.leads) FROM partner_open_leads o
            WHERE o.importer_id = $1 AND o.partner_id = c.id) AS open_leads,
           (SELECT sum(o.leads) FROM partner_open_leads o
            WHERE o.importer_id = $1 AND o.partner_id = c.id
              AND o.last_touch_day < $5 - 30) AS overdue,
           (SELECT sum(o.offers) FROM partner_offer_day o
            WHERE o.importer_id = $1 AND o.partner_id = c.id) AS received
    FROM chosen c
),
outflow_rows AS (
    SELECT r.partner_id, r.day >= $4 AS current, r.receiver_id, sum(r.leads) AS leads
    FROM partner_outflow_day r JOIN chosen c ON c.id = r.partner_id
    WHERE r.importer_id = $1 AND {_IN_PERIODS}
    GROUP BY 1, 2, 3
)
SELECT (SELECT json_agg(x) FROM offers_rows x), (SELECT json_agg(x) FROM cohorts_rows x),
       (SELECT json_agg(x) FROM pipeline_rows x), (SELECT json_agg(x) FROM outflow_rows x)"""

# (b) straight from the raw leads: what the rollups save (rollup_speedup).
RAW_LEADS_PER_WORKSHOP = """
SELECT w.id, count(l.id) FILTER (WHERE l.created_at >= $4),
       count(l.id) FILTER (WHERE l.created_at < $4)
FROM workshops w
LEFT JOIN leads l ON l.workshop_id = w.id AND l.importer_id = $1
                 AND l.created_at >= $2 AND l.created_at < $3
WHERE w.importer_id = $1
GROUP BY w.id"""


@dataclass(frozen=True)
class Periods:
    """The period LAST_30_DAYS resolves to, and its previous period (local days)."""

    previous_from: date
    previous_to: date
    current_from: date
    current_to: date

    @classmethod
    def last_30_days(cls, as_of: date) -> Periods:
        start = as_of - timedelta(days=29)
        return cls(start - timedelta(days=30), start - timedelta(days=1), start, as_of)

    def dates(self) -> tuple[date, date, date, date]:
        return (self.previous_from, self.previous_to, self.current_from, self.current_to)

    def instants(self) -> tuple[datetime, datetime, datetime]:
        """The previous period's first instant, the current period's end (exclusive)
        and its first instant, in the importer's timezone (for the raw tables)."""
        zone = ZoneInfo(TIMEZONE)

        def at(day: date) -> datetime:
            return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)

        return (
            at(self.previous_from),
            at(self.current_to + timedelta(days=1)),
            at(self.current_from),
        )


def current_quarter(as_of: date) -> tuple[date, date, date, date]:
    """CURRENT_QUARTER up to as-of and the same span of the previous quarter by
    calendar date, clamped to the month's end: previous from, previous to, from, to."""
    start = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    year, month = (
        (as_of.year, as_of.month - 3) if as_of.month > 3 else (as_of.year - 1, as_of.month + 9)
    )
    previous_to = date(year, month, min(as_of.day, calendar.monthrange(year, month)[1]))
    previous_from = date(year, start.month - 3 if start.month > 3 else start.month + 9, 1)
    return previous_from, previous_to, start, as_of


def floor_args(request: Request, importer_id: int, periods: Periods, limit: int) -> list[Any]:
    if request.floor_args.startswith("quarter+partners:"):
        count = int(request.floor_args.rpartition(":")[2])
        refs = [f"P{n:03d}" for n in range(1, count + 1)]
        return [importer_id, *current_quarter(periods.current_to), refs]
    args: list[Any] = [importer_id, *periods.dates()]
    if request.floor_args == "period+limit":
        args.append(limit)
    if request.floor_args == "period+workshop":
        args.append(1)  # generated workshop ids follow their refs: W0001 is id 1
    return args


def peer_leads_per_workshop(periods: Periods) -> str:
    """(b) for PostGraphile 4 + pg-aggregates + connection-filter: leads per
    workshop in the period and in the previous one, grouped, in one query."""
    previous_from, end, current_from = (t.isoformat() for t in periods.instants())

    def grouped(lo: str, hi: str) -> str:
        return (
            "allLeads(condition: {importerId: 1}, filter: {workshopId: {isNull: false}, "
            f'createdAt: {{greaterThanOrEqualTo: "{lo}", lessThan: "{hi}"}}}}) '
            "{ groupedAggregates(groupBy: WORKSHOP_ID) { keys distinctCount { id } } }"
        )

    return (
        f"{{ current: {grouped(current_from, end)}\n"
        f"  previous: {grouped(previous_from, current_from)} }}"
    )
