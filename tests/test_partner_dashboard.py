"""The Sales-partner dashboard over HTTP, against a hand-built data set with every
number computed by hand (METRICS.md, seed 004).

Today is 2026-11-24 (as-of 2026-11-23); the importer is in Europe/Copenhagen
(UTC+2 until 25 Oct 2026, UTC+1 after). CURRENT_MONTH is 1-23 Nov and compares
with 1-23 Oct. Partner p ("Autohaus Nord") is the subject; q and r are its
competitors. The leads offered to p:

| lead | source / excl. | offered to p | p's answer | after |
| L1 | MARKETPLACE mp-1, shared | 11-02 10:00 | ACCEPTED 12:00 (2 h) | contact +6 h, feedback +1 d, WON +8 d, lead rating 4, customer rating 5 |
| L2 | DIRECT, exclusive | 11-05 09:00 | ACCEPTED 10:00 (1 h) | only a feedback today (not known yet): silent |
| L3 | MARKETPLACE mp-2, shared | 11-06 08:00 | DECLINED 08:30 (30 min) | q accepted: outflow to q |
| L4 | MARKETPLACE mp-1, shared | 11-07 08:00 | EXPIRED, no responded_at | r accepted: outflow to r |
| L5 | MARKETPLACE mp-1, shared | 11-08 08:00 | EXPIRED, no responded_at | q accepted: outflow to q |
| L6 | DIRECT, shared | 11-20 09:00 | PENDING | |
| L7 | DIRECT, exclusive | 11-12 09:00 | ACCEPTED 09:30 (30 min) | feedback +3 d, LOST +10 d, lead rating 2 |
| L8 | DIRECT, shared | 11-13 10:00 | DECLINED 11:00 (1 h) | |
| L9 | MARKETPLACE mp-1, shared | 10-05 10:00 | ACCEPTED 11:00 (1 h) | LOST 11-04 (previous cohort), lead rating 5 |
| L10 | DIRECT, exclusive | 10-10 10:00 | DECLINED 12:00 (2 h) | |
| L11 | DIRECT, shared | 09-01 10:00 | ACCEPTED 11:00 | open, overdue |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.oracle.fixtures import insert_event, insert_importer, insert_lead, insert_offer
from tests.statements import counting

TZ = ZoneInfo("Europe/Copenhagen")
H = 3600.0
DAY = 86400.0


def at(moment: str) -> datetime:
    """A local wall-clock time in the importer's timezone ("2026-11-02 10:00")."""
    return datetime.fromisoformat(moment).replace(tzinfo=TZ)


@dataclass(frozen=True)
class World:
    importer_id: int
    partners: dict[str, int]  # ref -> id
    names: dict[str, str]  # ref -> name
    marketplaces: dict[str, int]  # ref -> id


P, Q, R = "p-north", "q-south", "r-west"
NAMES = {P: "Autohaus Nord", Q: "Sudstadt Motors", R: "Westend Cars"}
SINCE = {P: "2021-03-15", Q: "2022-06-01", R: "2023-01-10"}


async def _scalar(conn, sql: str, **params) -> int:
    return int((await conn.execute(text(sql), params)).scalar_one())


async def build_world(engine: AsyncEngine) -> World:
    """Insert the data set of the module docstring and build the rollups."""
    async with engine.begin() as conn:
        imp = await insert_importer(
            conn, ref="imp", lead_rating_enabled=True, customer_rating_enabled=False
        )
        workshop = await _scalar(
            conn,
            "INSERT INTO workshops (importer_id, workshop_ref, name, city)"
            " VALUES (:i, 'w-north', 'Nord Werkstatt', 'Kiel') RETURNING id",
            i=imp,
        )
        partners = {}
        for ref in (P, Q, R):
            partners[ref] = await _scalar(
                conn,
                "INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since,"
                " workshop_id) VALUES (:i, :ref, :name, :since, :w) RETURNING id",
                i=imp,
                ref=ref,
                name=NAMES[ref],
                since=date.fromisoformat(SINCE[ref]),
                w=workshop if ref == P else None,
            )
        markets = {}
        for ref in ("mp-1", "mp-2"):
            markets[ref] = await _scalar(
                conn,
                "INSERT INTO marketplaces (importer_id, marketplace_ref, name)"
                " VALUES (:i, :ref, :ref) RETURNING id",
                i=imp,
                ref=ref,
            )
        await _leads(conn, imp, partners, markets)
    await run_processing(engine, today=TODAY)
    return World(imp, partners, NAMES, markets)


async def _leads(conn, imp: int, partners: dict[str, int], markets: dict[str, int]) -> None:
    p, q, r = partners[P], partners[Q], partners[R]

    async def lead(created: str, market: str | None = None, exclusive: bool = False) -> int:
        source = "MARKETPLACE" if market else "DIRECT"
        mp = markets[market] if market else None
        return await insert_lead(
            conn, imp, at(created), source=source, marketplace_id=mp, exclusive=exclusive
        )

    l1 = await lead("2026-11-02 09:00", "mp-1")
    await insert_offer(conn, l1, p, at("2026-11-02 10:00"), "ACCEPTED", at("2026-11-02 12:00"))
    await insert_event(conn, l1, p, at("2026-11-02 18:00"), "FIRST_CONTACT")
    await insert_event(conn, l1, p, at("2026-11-03 12:00"), "FEEDBACK")
    await insert_event(conn, l1, p, at("2026-11-10 12:00"), "WON")
    await insert_event(conn, l1, p, at("2026-11-10 12:00"), "LEAD_RATING", 4)
    await insert_event(conn, l1, p, at("2026-11-10 13:00"), "CUSTOMER_RATING", 5)

    l2 = await lead("2026-11-05 08:00", exclusive=True)
    await insert_offer(conn, l2, p, at("2026-11-05 09:00"), "ACCEPTED", at("2026-11-05 10:00"))
    await insert_event(conn, l2, p, at("2026-11-24 10:00"), "FEEDBACK")  # today: not known yet

    l3 = await lead("2026-11-06 07:00", "mp-2")
    await insert_offer(conn, l3, p, at("2026-11-06 08:00"), "DECLINED", at("2026-11-06 08:30"))
    await insert_offer(conn, l3, q, at("2026-11-06 08:00"), "ACCEPTED", at("2026-11-06 09:00"))

    l4 = await lead("2026-11-07 07:00", "mp-1")
    await insert_offer(conn, l4, p, at("2026-11-07 08:00"), "EXPIRED")
    await insert_offer(conn, l4, r, at("2026-11-07 08:00"), "ACCEPTED", at("2026-11-07 10:00"))

    l5 = await lead("2026-11-08 07:00", "mp-1")
    await insert_offer(conn, l5, p, at("2026-11-08 08:00"), "EXPIRED")
    await insert_offer(conn, l5, q, at("2026-11-08 08:00"), "ACCEPTED", at("2026-11-08 11:00"))

    l6 = await lead("2026-11-20 08:00")
    await insert_offer(conn, l6, p, at("2026-11-20 09:00"), "PENDING")

    l7 = await lead("2026-11-12 08:00", exclusive=True)
    await insert_offer(conn, l7, p, at("2026-11-12 09:00"), "ACCEPTED", at("2026-11-12 09:30"))
    await insert_event(conn, l7, p, at("2026-11-15 09:30"), "FEEDBACK")
    await insert_event(conn, l7, p, at("2026-11-22 09:30"), "LOST")
    await insert_event(conn, l7, p, at("2026-11-22 09:30"), "LEAD_RATING", 2)

    l8 = await lead("2026-11-13 09:00")
    await insert_offer(conn, l8, p, at("2026-11-13 10:00"), "DECLINED", at("2026-11-13 11:00"))

    l9 = await lead("2026-10-05 09:00", "mp-1")
    await insert_offer(conn, l9, p, at("2026-10-05 10:00"), "ACCEPTED", at("2026-10-05 11:00"))
    await insert_event(conn, l9, p, at("2026-10-06 11:00"), "LEAD_RATING", 5)
    await insert_event(conn, l9, p, at("2026-11-04 11:00"), "LOST")

    l10 = await lead("2026-10-10 09:00", exclusive=True)
    await insert_offer(conn, l10, p, at("2026-10-10 10:00"), "DECLINED", at("2026-10-10 12:00"))

    l11 = await lead("2026-09-01 09:00")
    await insert_offer(conn, l11, p, at("2026-09-01 10:00"), "ACCEPTED", at("2026-09-01 11:00"))


# --- query and expected values -------------------------------------------------

TREND = "trend { previous change changePercent direction favorable }"
DASHBOARD = f"""
fragment C on CountMetric {{ value {TREND} }}
fragment R on RateMetric {{ value {TREND} }}
fragment D on DurationMetric {{ value {TREND} }}
query($id: ID!, $filter: PartnerFilterInput!) {{
  salesPartner(id: $id) {{
    id name partnerSince workshop {{ id name city }}
    dashboard(filter: $filter) {{
      period {{ from to days }} previousPeriod {{ from to days }} asOf
      pipeline {{ openLeads overdueLeads totalLeadsReceived partnerSince }}
      leadPick {{ offersReceived {{ ...C }} accepted {{ ...C }} declined {{ ...C }}
                  expired {{ ...C }} pickRate {{ ...R }} timeToAccept {{ ...D }}
                  timeToDecline {{ ...D }} }}
      feedback {{ feedbackRate {{ ...R }} timeToFirstFeedback {{ ...D }} silentLeads {{ ...C }} }}
      conversion {{ won {{ ...C }} lost {{ ...C }} conversionRate {{ ...R }} }}
      processingSpeed {{ timeToFirstContact {{ ...D }} salesCycle {{ ...D }} }}
      outflow {{ total {{ ...C }} byPartner {{ partner {{ id name }} count }} }}
      satisfaction {{ leadRating {{ enabled value {TREND} }}
                      customerRating {{ enabled value {TREND} }} }}
    }}
  }}
}}"""


def trend(previous, change, percent, direction, favorable):
    return {
        "previous": previous,
        "change": change,
        "changePercent": percent,
        "direction": direction,
        "favorable": favorable,
    }


NO_TREND = trend(None, None, None, "FLAT", None)


def m(value, previous, *, higher_is_better=True):
    """A metric's value and trend, with the trend computed the way METRICS.md says."""
    if value is None or previous is None:
        return {"value": value, "trend": trend(previous, None, None, "FLAT", None)}
    change = value - previous
    percent = None if previous == 0 else change / abs(previous) * 100
    if change == 0:
        return {"value": value, "trend": trend(previous, change, percent, "FLAT", None)}
    direction = "UP" if change > 0 else "DOWN"
    return {
        "value": value,
        "trend": trend(previous, change, percent, direction, (change > 0) == higher_is_better),
    }


def low(value, previous):
    """A metric where lower is better."""
    return m(value, previous, higher_is_better=False)


def month(**filters):
    return {"period": {"preset": "CURRENT_MONTH"}, **filters}


async def dashboard(gql, filter_, partner=P, **claims):
    body = await gql(DASHBOARD, {"id": partner, "filter": filter_}, **claims)
    assert "errors" not in body, body["errors"]
    return body["data"]["salesPartner"]["dashboard"]


# --- the whole dashboard ---------------------------------------------------------


async def test_current_month_every_card_by_hand(gql, engine):
    await build_world(engine)
    body = await gql(DASHBOARD, {"id": P, "filter": month()})
    assert "errors" not in body, body
    partner = body["data"]["salesPartner"]
    assert {k: partner[k] for k in ("id", "name", "partnerSince", "workshop")} == {
        "id": P,
        "name": "Autohaus Nord",
        "partnerSince": "2021-03-15",
        "workshop": {"id": "w-north", "name": "Nord Werkstatt", "city": "Kiel"},
    }
    board = partner["dashboard"]
    assert board["period"] == {"from": "2026-11-01", "to": "2026-11-23", "days": 23}
    assert board["previousPeriod"] == {"from": "2026-10-01", "to": "2026-10-23", "days": 23}
    assert board["asOf"] == "2026-11-23"
    # open: L2 and L11 (L1 won, L7 and L9 lost); overdue: L11 (1 Sep < 25 Oct)
    assert board["pipeline"] == {
        "openLeads": 2,
        "overdueLeads": 1,
        "totalLeadsReceived": 11,
        "partnerSince": "2021-03-15",
    }
    # 8 offers in Nov (L6 pending counts here, in no response and not in pickRate)
    assert board["leadPick"] == {
        "offersReceived": m(8, 2),
        "accepted": m(3, 1),
        "declined": low(2, 1),
        "expired": low(2, 0),
        "pickRate": m(3 / 7, 1 / 2),
        "timeToAccept": low((2 * H + 1 * H + 0.5 * H) / 3, 1 * H),
        "timeToDecline": low((0.5 * H + 1 * H) / 2, 2 * H),
    }
    # nothing expired in October: no relative change
    assert board["leadPick"]["expired"]["trend"]["changePercent"] is None
    # cohort Nov: L1, L2, L7; cohort Oct: L9 (lost on 4 Nov: a loss of October's cohort)
    assert board["feedback"] == {
        "feedbackRate": m(2 / 3, 0.0),
        "timeToFirstFeedback": low((1 * DAY + 3 * DAY) / 2, None),
        "silentLeads": low(1, 0),
    }
    assert board["conversion"] == {
        "won": m(1, 0),
        "lost": low(1, 1),
        "conversionRate": m(0.5, 0.0),
    }
    october_cycle = 30 * DAY + H  # 5 Oct 11:00 CEST to 4 Nov 11:00 CET
    assert board["processingSpeed"] == {
        "timeToFirstContact": low(6 * H, None),
        "salesCycle": low((8 * DAY + 10 * DAY) / 2, october_cycle),
    }
    assert board["outflow"] == {
        "total": low(3, 0),
        "byPartner": [
            {"partner": {"id": Q, "name": "Sudstadt Motors"}, "count": 2},
            {"partner": {"id": R, "name": "Westend Cars"}, "count": 1},
        ],
    }
    assert board["satisfaction"] == {
        "leadRating": {"enabled": True, **m((4 + 2) / 2, 5.0)},
        # customer ratings exist (L1: 5) but the importer has them disabled
        "customerRating": {"enabled": False, "value": None, "trend": NO_TREND},
    }


async def test_series_and_previous_series_are_aligned(gql, engine):
    await build_world(engine)
    query = """query($f: PartnerFilterInput!) { salesPartner(id: "p-north") { dashboard(filter: $f) {
      leadPick { offersReceived { series(granularity: WEEK) { date value }
                                  previousSeries(granularity: WEEK) { date value offset } }
                 pickRate { series { date value } } }
      feedback { silentLeads { series { date value } } } } } }"""
    body = await gql(query, {"f": month()})
    board = body["data"]["salesPartner"]["dashboard"]
    offers = board["leadPick"]["offersReceived"]
    # Nov 2026 starts on a Sunday: weeks 1, 2-8, 9-15, 16-22, 23
    assert offers["series"] == [
        {"date": "2026-11-01", "value": 0},
        {"date": "2026-11-02", "value": 5},
        {"date": "2026-11-09", "value": 2},
        {"date": "2026-11-16", "value": 1},
        {"date": "2026-11-23", "value": 0},
    ]
    # 1-23 Oct has four weeks (from Thursday 1 Oct): the fifth current week has no
    # previous bucket, and none is made up outside 1-23 Oct
    assert offers["previousSeries"] == [
        {"date": "2026-10-01", "value": 0, "offset": 0},
        {"date": "2026-10-05", "value": 2, "offset": 1},
        {"date": "2026-10-12", "value": 0, "offset": 2},
        {"date": "2026-10-19", "value": 0, "offset": 3},
    ]
    pick = {p["date"]: p["value"] for p in board["leadPick"]["pickRate"]["series"]}
    assert len(pick) == 23
    assert {d: v for d, v in pick.items() if v is not None} == {
        "2026-11-02": 1.0,
        "2026-11-05": 1.0,
        "2026-11-06": 0.0,
        "2026-11-07": 0.0,
        "2026-11-08": 0.0,
        "2026-11-12": 1.0,
        "2026-11-13": 0.0,
    }
    silent = board["feedback"]["silentLeads"]["series"]
    assert len(silent) == 23
    assert [p for p in silent if p["value"]] == [{"date": "2026-11-05", "value": 1.0}]


async def test_custom_period_compares_with_the_days_before(gql, engine):
    await build_world(engine)
    custom = {"period": {"preset": "CUSTOM", "from": "2026-11-05", "to": "2026-11-08"}}
    board = await dashboard(gql, custom)
    assert board["period"] == {"from": "2026-11-05", "to": "2026-11-08", "days": 4}
    assert board["previousPeriod"] == {"from": "2026-11-01", "to": "2026-11-04", "days": 4}
    lead_pick = board["leadPick"]
    assert lead_pick["offersReceived"] == m(4, 1)  # L2-L5 against L1
    assert lead_pick["accepted"] == m(1, 1)
    assert lead_pick["pickRate"] == m(1 / 4, 1.0)
    assert board["feedback"]["silentLeads"] == low(1, 0)  # L2
    assert board["feedback"]["feedbackRate"] == m(0.0, 1.0)
    assert board["conversion"]["won"] == m(0, 1)  # L1 in the previous cohort
    assert board["outflow"]["total"] == low(3, 0)


# --- filters ---------------------------------------------------------------------


async def test_source_filter(gql, engine):
    await build_world(engine)
    market = await dashboard(gql, month(source="MARKETPLACE"))
    assert market["leadPick"] == {
        "offersReceived": m(4, 1),  # L1, L3, L4, L5 against L9
        "accepted": m(1, 1),
        "declined": low(1, 0),
        "expired": low(2, 0),
        "pickRate": m(1 / 4, 1.0),
        "timeToAccept": low(2 * H, 1 * H),
        "timeToDecline": low(0.5 * H, None),
    }
    assert market["feedback"] == {
        "feedbackRate": m(1.0, 0.0),
        "timeToFirstFeedback": low(1 * DAY, None),
        "silentLeads": low(0, 0),
    }
    assert market["conversion"] == {
        "won": m(1, 0),
        "lost": low(0, 1),
        "conversionRate": m(1.0, 0.0),
    }
    assert market["outflow"]["total"] == low(3, 0)
    # the pipeline ignores filters
    assert market["pipeline"]["openLeads"] == 2

    direct = await dashboard(gql, month(source="DIRECT"))
    assert direct["leadPick"]["offersReceived"] == m(4, 1)  # L2, L6, L7, L8 against L10
    assert direct["leadPick"]["accepted"] == m(2, 0)
    assert direct["leadPick"]["declined"] == low(1, 1)
    assert direct["leadPick"]["expired"] == low(0, 0)
    assert direct["leadPick"]["pickRate"] == m(2 / 3, 0.0)
    assert direct["feedback"]["silentLeads"] == low(1, 0)
    assert direct["conversion"]["lost"] == low(1, 0)
    assert direct["satisfaction"]["leadRating"] == {"enabled": True, **m(2.0, None)}
    # outflow only ever counts marketplace leads
    assert direct["outflow"] == {"total": low(0, 0), "byPartner": []}


async def test_exclusivity_filter(gql, engine):
    await build_world(engine)
    exclusive = await dashboard(gql, month(exclusivity="EXCLUSIVE"))
    assert exclusive["leadPick"]["offersReceived"] == m(2, 1)  # L2, L7 against L10
    assert exclusive["leadPick"]["pickRate"] == m(1.0, 0.0)
    assert exclusive["feedback"]["silentLeads"] == low(1, 0)
    assert exclusive["outflow"] == {"total": low(0, 0), "byPartner": []}

    shared = await dashboard(gql, month(exclusivity="SHARED"))
    assert shared["leadPick"]["offersReceived"] == m(6, 1)  # L1, L3-L6, L8 against L9
    assert shared["leadPick"]["declined"] == low(2, 0)
    assert shared["leadPick"]["pickRate"] == m(1 / 5, 1.0)
    assert shared["outflow"]["total"] == low(3, 0)

    both = await dashboard(gql, month(source="MARKETPLACE", exclusivity="EXCLUSIVE"))
    assert both["leadPick"]["offersReceived"] == m(0, 0)
    assert both["leadPick"]["pickRate"] == m(None, None)
    assert both["pipeline"]["totalLeadsReceived"] == 11


async def test_marketplace_filter(gql, engine):
    await build_world(engine)
    second = await dashboard(gql, month(marketplaceId="mp-2"))
    assert second["leadPick"]["offersReceived"] == m(1, 0)
    assert second["leadPick"]["declined"] == low(1, 0)
    assert second["outflow"] == {
        "total": low(1, 0),
        "byPartner": [{"partner": {"id": Q, "name": "Sudstadt Motors"}, "count": 1}],
    }
    first = await dashboard(gql, month(marketplaceId="mp-1"))
    assert first["leadPick"]["offersReceived"] == m(3, 1)  # L1, L4, L5 against L9
    # one lead each: ties are ordered by partner id
    assert first["outflow"]["byPartner"] == [
        {"partner": {"id": Q, "name": "Sudstadt Motors"}, "count": 1},
        {"partner": {"id": R, "name": "Westend Cars"}, "count": 1},
    ]
    assert first["satisfaction"]["leadRating"] == {"enabled": True, **m(4.0, 5.0)}


# --- errors ----------------------------------------------------------------------


async def test_unknown_marketplace_is_not_found(gql, engine):
    await build_world(engine)
    body = await gql(DASHBOARD, {"id": P, "filter": month(marketplaceId="mp-nope")})
    assert body["data"] == {"salesPartner": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "mp-nope" in error["message"]


@pytest.mark.parametrize(
    ("period", "fragment"),
    [
        ({"preset": "CUSTOM", "from": "2026-11-10", "to": "2026-11-05"}, "is after period.to"),
        ({"preset": "CUSTOM", "from": "2026-11-10", "to": "2026-11-24"}, "newest processed day"),
        ({"preset": "CUSTOM", "from": "2026-11-10"}, "needs both"),
        ({"preset": "LAST_7_DAYS", "from": "2026-11-10"}, "takes no from/to"),
    ],
)
async def test_bad_period_is_bad_user_input(gql, engine, period, fragment):
    await build_world(engine)
    body = await gql(DASHBOARD, {"id": P, "filter": {"period": period}})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]


async def test_unknown_preset_is_bad_user_input(gql, engine):
    await build_world(engine)
    body = await gql(DASHBOARD, {"id": P, "filter": {"period": {"preset": "LAST_WEEK"}}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- batching: a constant number of statements ------------------------------------

MANY = """query($f: PartnerFilterInput!) { salesPartners(first: 500) { nodes { id workshop { id } dashboard(filter: $f) {
  pipeline { openLeads totalLeadsReceived }
  leadPick { offersReceived { value } accepted { value } pickRate { value series { value } } }
  feedback { feedbackRate { value } silentLeads { value } }
  conversion { won { value } } processingSpeed { salesCycle { value } }
  outflow { total { value } byPartner { partner { id } count } }
  satisfaction { leadRating { value } } } } } }"""


async def _many_partners(engine: AsyncEngine, ref: str, n: int) -> None:
    """n partners (each also a workshop); partner k accepts 3 marketplace leads that
    partner k+1 declined, so each has 6 offers, 3 accepted and an outflow of 3."""
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref=ref)
        mp = await _scalar(
            conn,
            "INSERT INTO marketplaces (importer_id, marketplace_ref, name)"
            " VALUES (:i, 'mp', 'mp') RETURNING id",
            i=imp,
        )
        statements = [
            """INSERT INTO workshops (importer_id, workshop_ref, name)
               SELECT :i, 'ws-' || g, 'Workshop ' || g FROM generate_series(1, :n) g""",
            """INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since,
                                          workshop_id)
               SELECT :i, 'sp-' || g, 'Partner ' || g, DATE '2020-01-01', w.id
               FROM generate_series(1, :n) g
               JOIN workshops w ON w.importer_id = :i AND w.workshop_ref = 'ws-' || g""",
            """INSERT INTO leads (importer_id, lead_ref, created_at, source, marketplace_id,
                                 exclusive)
               SELECT :i, 'lead-' || g, TIMESTAMPTZ '2026-11-10 10:00+01', 'MARKETPLACE',
                      :mp, false
               FROM generate_series(0, 3 * :n - 1) g""",
            """INSERT INTO lead_offers (importer_id, lead_id, partner_id, offered_at, response,
                                       responded_at)
               SELECT :i, l.id, p.id, l.created_at, o.response,
                      l.created_at + interval '1 hour'
               FROM leads l
               CROSS JOIN (VALUES (0, 'ACCEPTED'), (1, 'DECLINED')) AS o(shift, response)
               JOIN sales_partners p ON p.importer_id = :i AND p.partner_ref = 'sp-'
                    || (CAST(substr(l.lead_ref, 6) AS int) % :n + o.shift) % :n + 1
               WHERE l.importer_id = :i""",
        ]
        for sql in statements:
            await conn.execute(text(sql), {"i": imp, "n": n, "mp": mp})


# With the copy, the data version comes with the importer (one statement, not two).
@pytest.mark.parametrize(("day_copy", "cost"), [(False, 9), (True, 7)])
async def test_fifty_partner_dashboards_cost_what_two_cost(
    settings, database_url, token, engine, day_copy, cost
):
    await _many_partners(engine, "imp2", 2)
    await _many_partners(engine, "imp50", 50)
    await run_processing(engine, today=TODAY)
    settings = settings.model_copy(update={"day_copy": day_copy})
    app = create_app(settings, database_url=database_url, migrate=False)
    filter_ = {"period": {"preset": "CURRENT_MONTH"}, "marketplaceId": "mp"}

    async def ask(http: httpx.AsyncClient, importer: str) -> tuple[list[dict], int]:
        with counting(app.state.insights.engine) as statements:
            response = await http.post(
                "/graphql",
                json={"query": MANY, "variables": {"f": filter_}},
                headers={"Authorization": f"Bearer {token('importer', importer=importer)}"},
            )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]["salesPartners"]["nodes"], len(statements)

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            await app.state.insights.day_copy.following.wait()  # copies loaded at start-up
            await app.state.insights.day_copy.settled()
            await ask(http, "imp2")  # warm up: the first connection inspects the server
            two, two_cost = await ask(http, "imp2")
            fifty, fifty_cost = await ask(http, "imp50")
    # importer, partners, workshops, marketplace, pipeline, offers, cohort, silent,
    # outflow; with the copies, offers and cohort after one look at the data version
    assert two_cost == fifty_cost == cost
    assert len(two) == 2 and len(fifty) == 50
    for partner in fifty:
        board = partner["dashboard"]
        assert partner["workshop"] == {"id": "ws-" + partner["id"].removeprefix("sp-")}
        assert board["leadPick"]["offersReceived"] == {"value": 6}
        assert board["leadPick"]["accepted"] == {"value": 3}
        assert board["pipeline"] == {"openLeads": 3, "totalLeadsReceived": 6}
        assert board["outflow"]["total"] == {"value": 3}
        (entry,) = board["outflow"]["byPartner"]
        assert entry["count"] == 3 and entry["partner"]["id"] != partner["id"]


async def test_silent_means_more_than_fourteen_days_without_feedback(gql, engine):
    """today - 14 = 10 Nov: a last touch on 9 Nov is silent, on 10 Nov not yet."""
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp")
        p = await _scalar(
            conn,
            "INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since)"
            " VALUES (:i, 'p', 'P', DATE '2020-01-01') RETURNING id",
            i=imp,
        )
        # (accepted at, feedback at): silent?
        cases = [
            ("2026-11-09 23:30", None),  # yes: accepted 15 days ago
            ("2026-11-10 00:30", None),  # no: exactly 14 days
            ("2026-11-01 10:00", "2026-11-10 08:00"),  # no: feedback 14 days ago
            ("2026-11-02 10:00", "2026-11-09 08:00"),  # yes: latest feedback 15 days ago
            ("2026-10-01 10:00", "2026-11-09 20:00"),  # yes, in October's cohort
            ("2026-10-02 10:00", "2026-11-12 20:00"),  # no
        ]
        for accepted, feedback in cases:
            lead = await insert_lead(conn, imp, at(accepted))
            await insert_offer(conn, lead, p, at(accepted), "ACCEPTED", at(accepted))
            if feedback:
                await insert_event(conn, lead, p, at(feedback), "FEEDBACK")
    await run_processing(engine, today=TODAY)
    query = """query($f: PartnerFilterInput!) { salesPartner(id: "p") { dashboard(filter: $f) {
      pipeline { openLeads overdueLeads } feedback { silentLeads { value trend {
      previous change changePercent direction favorable } series { date value } } } } } }"""
    body = await gql(query, {"f": month()})
    board = body["data"]["salesPartner"]["dashboard"]
    silent = board["feedback"]["silentLeads"]
    assert {k: silent[k] for k in ("value", "trend")} == low(2, 1)
    assert [p for p in silent["series"] if p["value"]] == [
        {"date": "2026-11-02", "value": 1.0},
        {"date": "2026-11-09", "value": 1.0},
    ]
    # overdue: accepted before 25 Oct (lead_due_days 30)
    assert board["pipeline"] == {"openLeads": 6, "overdueLeads": 2}
