"""The oracle checked against tiny hand-built data sets with hand-computed answers.

Every expected number below is worked out by hand in the comments next to the data;
the data sets carry the traps of METRICS.md (local days, the 7 x 24 h grace period,
deactivations, eligibility bounds, distinct counts, offer responses, cohorts).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.oracle import activations_oracle, partner_oracle
from tests.oracle.fixtures import (
    insert_activation,
    insert_app_activity,
    insert_campaign,
    insert_chat,
    insert_event,
    insert_importer,
    insert_lead,
    insert_marketplace,
    insert_offer,
    insert_partner,
    insert_rule,
    insert_staff_activity,
    insert_vehicle,
    insert_visit,
    insert_workshop,
)

TODAY = date(2026, 4, 15)  # as-of 2026-04-14; Copenhagen switches to CEST on 2026-03-29


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- Activations ------------------------------------------------------------------


async def _vehicles(conn, importer):
    """Rules: include VW; include Audi A3 2018-2022; exclude VW Golf 2010-2012."""
    await insert_rule(conn, importer, "VW", include=True)
    await insert_rule(
        conn, importer, "Audi", include=True, model="A3", year_from=2018, year_to=2022
    )
    await insert_rule(
        conn, importer, "VW", include=False, model="Golf", year_from=2010, year_to=2012
    )
    specs = {
        "polo": ("vw", "Polo", 2020),  # eligible: make compared ignoring case
        "golf12": ("VW", "Golf", 2012),  # excluded: year_to is inclusive
        "golf13": ("VW", "Golf", 2013),  # eligible: just past the excluded years
        "a3_23": ("Audi", "A3", 2023),  # not eligible: after the include rule's years
        "a3_18": ("AUDI", "A3", 2018),  # eligible: year_from inclusive, make any case
        "skoda": ("Skoda", "Octavia", 2020),  # not eligible: no include rule matches
        "passat": ("VW", "Passat", 2019),
        "tiguan": ("VW", "Tiguan", 2021),
        "up": ("VW", "Up", 2020),
    }
    return {name: await insert_vehicle(conn, importer, *spec) for name, spec in specs.items()}


async def _visits_and_activations(conn, w1, w2, w3, v):
    # In P and S (departure day, Copenhagen): 9 visits, 6 eligible, 4 connected.
    await insert_visit(conn, w1, v["polo"], at("2026-03-10T08:00Z"), at("2026-03-10T12:00Z"))
    await insert_visit(conn, w2, v["golf13"], at("2026-03-10T08:00Z"), at("2026-03-10T12:00Z"))
    await insert_visit(conn, w1, v["passat"], at("2026-03-12T08:00Z"), at("2026-03-12T10:00Z"))
    await insert_visit(conn, w1, v["tiguan"], at("2026-03-12T08:00Z"), at("2026-03-12T10:00Z"))
    # 23:30 UTC on 28 Feb is 00:30 on 1 March in Copenhagen: in P.
    await insert_visit(conn, w2, v["a3_18"], at("2026-02-28T20:00Z"), at("2026-02-28T23:30Z"))
    await insert_visit(conn, w1, v["golf12"], at("2026-03-05T08:00Z"), at("2026-03-05T09:00Z"))
    await insert_visit(conn, w2, v["a3_23"], at("2026-03-06T08:00Z"), at("2026-03-06T09:00Z"))
    await insert_visit(conn, w1, v["skoda"], at("2026-03-07T08:00Z"), at("2026-03-07T09:00Z"))
    await insert_visit(conn, w2, v["up"], at("2026-03-25T08:00Z"), at("2026-03-25T12:00Z"))
    # Not counted: 23:30 UTC on 31 March is 1 April in Copenhagen; still in the
    # workshop (its arrival, 11 April local, is S's newest data); not in S.
    await insert_visit(conn, w2, v["polo"], at("2026-03-31T20:00Z"), at("2026-03-31T23:30Z"))
    await insert_visit(conn, w1, v["skoda"], at("2026-04-10T22:30Z"))
    await insert_visit(conn, w3, v["golf13"], at("2026-03-10T06:00Z"), at("2026-03-10T07:00Z"))
    await insert_visit(conn, w3, v["golf13"], at("2026-04-13T08:00Z"))

    act = insert_activation
    # polo: invited by W3 (outside S), activated exactly 7 x 24 h after departure.
    await act(conn, w3, v["polo"], at("2026-03-10T12:30Z"), at("2026-03-17T12:00Z"))
    # golf13: one hour too late -> not connected (but a new activation of W2).
    await act(conn, w2, v["golf13"], at("2026-03-10T12:30Z"), at("2026-03-17T13:00Z"))
    # passat: deactivated at the very instant of departure -> not connected.
    await act(
        conn,
        w1,
        v["passat"],
        at("2026-03-04T09:00Z"),
        at("2026-03-05T10:00Z"),
        at("2026-03-12T10:00Z"),
    )
    # tiguan: first activation deactivated before the visit, second one holds.
    await act(
        conn,
        w1,
        v["tiguan"],
        at("2026-01-30T09:00Z"),
        at("2026-02-01T10:00Z"),
        at("2026-02-15T10:00Z"),
    )
    await act(conn, w1, v["tiguan"], at("2026-02-19T09:00Z"), at("2026-02-20T10:00Z"))
    # a3_18: activated before departure (00:15 on 1 March local), deactivated after it.
    await act(
        conn,
        w2,
        v["a3_18"],
        at("2026-02-28T23:00Z"),
        at("2026-02-28T23:15Z"),
        at("2026-03-20T10:00Z"),
    )
    # golf12: activated, but the vehicle is excluded, so never connected.
    await act(conn, w1, v["golf12"], at("2026-03-03T09:00Z"), at("2026-03-04T10:00Z"))
    # skoda: activated 00:30 on 1 April local -> not in P.
    await act(conn, w2, v["skoda"], at("2026-03-30T09:00Z"), at("2026-03-31T22:30Z"))
    # a3_23: invited, never activated.
    await act(conn, w1, v["a3_23"], at("2026-03-20T09:00Z"))
    # up: exactly 168 h across the DST switch ('7 days' in a CET session is 1 h less).
    await act(conn, w1, v["up"], at("2026-03-25T12:30Z"), at("2026-04-01T12:00Z"))


async def _workshop_facts(conn, importer, w1, w2, w3):
    for workshop, created in [
        (w1, "2026-03-05T10:00Z"),
        (w2, "2026-02-28T23:10Z"),  # 1 March local: counted
        (w3, "2026-03-05T10:00Z"),  # not in S
        (None, "2026-03-05T10:00Z"),  # no workshop
        (w1, "2026-03-31T22:10Z"),  # 1 April local: not counted
    ]:
        await insert_lead(conn, importer, at(created), workshop_id=workshop)
    # Chats in P and S: 3 conversations, 5 + 3 + 4 messages, responses 120 s and 3600 s.
    await insert_chat(conn, w1, at("2026-03-02T10:00Z"), 5, at("2026-03-02T10:02Z"))
    await insert_chat(conn, w2, at("2026-03-03T10:00Z"), 3)
    await insert_chat(conn, w1, at("2026-03-04T10:00Z"), 4, at("2026-03-04T11:00Z"))
    await insert_chat(conn, w3, at("2026-03-04T10:00Z"), 100, at("2026-03-04T10:01Z"))
    await insert_chat(conn, w1, at("2026-02-28T22:59Z"), 7, at("2026-02-28T22:59:10Z"))
    # Staff: s1 and s2 in P and S (s1 on two days and two workshops).
    for workshop, user, day, actions in [
        (w1, "s1", date(2026, 3, 2), 5),
        (w1, "s1", date(2026, 3, 3), 2),
        (w1, "s2", date(2026, 3, 3), 1),
        (w2, "s1", date(2026, 3, 2), 1),
        (w2, "s2", date(2026, 3, 10), 4),
        (w3, "s3", date(2026, 3, 10), 9),
        (w1, "s3", date(2026, 2, 28), 7),
        (w1, "s2", date(2026, 4, 1), 3),
    ]:
        await insert_staff_activity(conn, workshop, user, day, actions)
    for workshop, user, day in [
        (w1, "u1", date(2026, 3, 2)),
        (w2, "u1", date(2026, 3, 5)),
        (w2, "u2", date(2026, 3, 31)),
        (w3, "u3", date(2026, 3, 5)),
        (w1, "u3", date(2026, 4, 1)),
    ]:
        await insert_app_activity(conn, workshop, user, day)
    await insert_campaign(conn, w1, at("2026-03-10T10:00Z"), 100)
    await insert_campaign(conn, w2, at("2026-03-31T21:59Z"), 50)  # 23:59 local
    await insert_campaign(conn, w2, at("2026-03-31T22:00Z"), 999)  # 1 April local
    await insert_campaign(conn, w3, at("2026-03-10T10:00Z"), 7)


async def _activation_data(engine):
    async with engine.begin() as conn:
        importer = await insert_importer(conn)
        w1, w2, w3, w4 = [await insert_workshop(conn, importer) for _ in range(4)]
        # Another importer's include rule for Skoda must not make ours eligible.
        other = await insert_importer(conn)
        await insert_rule(conn, other, "Skoda", include=True)
        vehicles = await _vehicles(conn, importer)
        await _visits_and_activations(conn, w1, w2, w3, vehicles)
        await _workshop_facts(conn, importer, w1, w2, w3)
    return importer, w1, w2, w3, w4


async def _activations(engine, session_zone, **scope):
    async with engine.connect() as conn:
        await conn.execute(text(f"SET TIME ZONE '{session_zone}'"))
        return await activations_oracle(
            conn, start=date(2026, 3, 1), end=date(2026, 3, 31), today=TODAY, **scope
        )


@pytest.mark.parametrize("session_zone", ["UTC", "Europe/Copenhagen", "America/Los_Angeles"])
async def test_activations_over_several_workshops(engine, session_zone):
    importer, w1, w2, _w3, w4 = await _activation_data(engine)
    got = await _activations(engine, session_zone, importer_id=importer, workshop_ids=[w1, w2, w4])
    assert got == {
        "newActivations": 4,  # golf13 (W2), passat (W1), a3_18 (W2, tz), golf12 (W1)
        "leadsCreated": 2,
        "chatConversations": 3,
        "chatMessages": 12,
        "chatFirstResponseTime": 1860.0,  # (120 + 3600) / 2
        "activeStaff": 2,  # s1, s2 (a sum of daily counts would say 3)
        "appUsers": 2,
        "marketingCampaignsSent": 2,
        "campaignRecipients": 150,
        "throughput": 9,
        "eligible": 6,  # polo, golf13, passat, tiguan, a3_18, up
        "connected": 4,  # polo, tiguan, a3_18, up
        "connectionRate": pytest.approx(4 / 6),
        "newestDataDate": date(2026, 4, 11),  # 22:30 UTC on 10 April
        "workshopActivity": {
            w1: (2, 8, date(2026, 3, 3)),
            w2: (2, 5, date(2026, 3, 10)),
            w4: (0, 0, None),
        },
    }


async def test_activations_of_one_workshop(engine):
    importer, _w1, w2, _w3, _w4 = await _activation_data(engine)
    got = await _activations(engine, "UTC", importer_id=importer, workshop_ids=[w2])
    assert (got["throughput"], got["eligible"], got["connected"]) == (4, 3, 2)
    assert got["newActivations"] == 2
    assert got["leadsCreated"] == 1
    assert (got["chatConversations"], got["chatMessages"], got["chatFirstResponseTime"]) == (
        1,
        3,
        None,
    )
    assert (got["activeStaff"], got["appUsers"]) == (2, 2)
    assert (got["marketingCampaignsSent"], got["campaignRecipients"]) == (1, 50)
    # The departure at 23:30 UTC on 31 March is S's newest data: 1 April local.
    assert got["newestDataDate"] == date(2026, 4, 1)
    assert got["workshopActivity"] == {w2: (2, 5, date(2026, 3, 10))}


async def test_without_include_rules_everything_not_excluded_is_eligible(engine):
    async with engine.begin() as conn:
        importer = await insert_importer(conn, timezone="UTC")
        workshop = await insert_workshop(conn, importer)
        await insert_rule(conn, importer, "vw", include=False, model="Golf")
        for make, model in [("VW", "Polo"), ("VW", "Golf"), ("Skoda", "Fabia")]:
            vehicle = await insert_vehicle(conn, importer, make, model, 2015)
            await insert_visit(
                conn, workshop, vehicle, at("2026-03-02T08:00Z"), at("2026-03-02T09:00Z")
            )
        # The last one, the Fabia, is activated 8 days after its departure: too late.
        await insert_activation(
            conn, workshop, vehicle, at("2026-03-01T08:00Z"), at("2026-03-10T09:00Z")
        )
    async with engine.connect() as conn:
        got = await activations_oracle(
            conn,
            importer_id=importer,
            workshop_ids=[workshop],
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
            today=TODAY,
        )
    assert (got["throughput"], got["eligible"], got["connected"]) == (3, 2, 0)
    assert got["connectionRate"] == 0.0
    assert got["newActivations"] == 1


async def test_activations_of_an_idle_workshop_are_zero_or_null(engine):
    async with engine.begin() as conn:
        importer = await insert_importer(conn)
        workshop = await insert_workshop(conn, importer)
    async with engine.connect() as conn:
        got = await activations_oracle(
            conn,
            importer_id=importer,
            workshop_ids=[workshop],
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
            today=TODAY,
        )
    assert got == {
        "newActivations": 0,
        "leadsCreated": 0,
        "chatConversations": 0,
        "chatMessages": 0,
        "chatFirstResponseTime": None,
        "activeStaff": 0,
        "appUsers": 0,
        "marketingCampaignsSent": 0,
        "campaignRecipients": 0,
        "throughput": 0,
        "eligible": 0,
        "connected": 0,
        "connectionRate": None,
        "newestDataDate": None,
        "workshopActivity": {workshop: (0, 0, None)},
    }


# --- Sales partner ----------------------------------------------------------------
#
# Importer in Copenhagen, lead_due_days 10, lead rating on, customer rating off.
# TODAY 2026-04-15: as-of 04-14; silent if the day is before 04-01; overdue if
# accepted before 04-05. P = 03-16..04-14, previous period = 02-14..03-15.

CURRENT = {"start": date(2026, 3, 16), "end": date(2026, 4, 14)}
PREVIOUS = {"start": date(2026, 2, 14), "end": date(2026, 3, 15)}


async def _lead(conn, ids, name, offered, *, mp=None, exclusive=False):
    """A lead created an hour before its first offer; MARKETPLACE when mp is given."""
    source = "DIRECT" if mp is None else "MARKETPLACE"
    created = at(offered) - timedelta(hours=1)
    ids[name] = await insert_lead(
        conn,
        ids["importer"],
        created,
        source=source,
        marketplace_id=ids.get(mp),
        exclusive=exclusive,
    )
    return ids[name]


async def _offers(conn, ids):
    p, q, r = ids["p"], ids["q"], ids["r"]
    offer = insert_offer
    # name, marketplace, exclusive, p's offer (offered, response, responded)
    for name, mp, exclusive, offered, response, responded in [
        ("L1", "M1", False, "2026-04-02T08:00Z", "ACCEPTED", "2026-04-02T09:00Z"),  # 3600
        ("L2", "M1", False, "2026-03-20T10:00Z", "ACCEPTED", "2026-03-20T12:00Z"),  # 7200
        ("L3", None, True, "2026-03-10T10:00Z", "ACCEPTED", "2026-03-11T10:00Z"),  # prev
        ("L4", "M1", False, "2026-04-05T10:00Z", "DECLINED", "2026-04-05T10:30Z"),  # 1800
        ("L5", "M2", False, "2026-04-06T10:00Z", "EXPIRED", None),
        ("L6", "M1", False, "2026-04-10T10:00Z", "PENDING", None),
        ("L7", "M1", True, "2026-04-10T21:00Z", "ACCEPTED", "2026-04-10T22:30Z"),  # 5400
        ("L8", "M1", False, "2026-04-07T10:00Z", "DECLINED", "2026-04-07T11:00Z"),  # 3600
        ("L9", None, False, "2026-04-08T10:00Z", "DECLINED", "2026-04-08T10:10Z"),  # 600
        ("L10", "M1", False, "2026-03-31T21:00Z", "ACCEPTED", "2026-03-31T22:30Z"),  # 5400
        ("L11", "M1", False, "2026-03-31T20:00Z", "ACCEPTED", "2026-03-31T21:30Z"),  # 5400
        ("L12", "M1", False, "2026-03-17T10:00Z", "ACCEPTED", "2026-03-17T11:00Z"),  # 3600
        ("L13", "M1", False, "2026-03-18T10:00Z", "ACCEPTED", "2026-03-18T10:50Z"),  # 3000
        ("L14", None, False, "2026-01-10T10:00Z", "DECLINED", "2026-01-10T11:00Z"),
        ("L15", "M1", False, "2026-04-15T08:00Z", "PENDING", None),  # today
        ("L16", "M2", True, "2026-04-09T10:00Z", "EXPIRED", "2026-04-10T10:00Z"),
        ("L17", "M1", False, "2026-04-14T20:00Z", "ACCEPTED", "2026-04-14T22:30Z"),  # 9000
        ("L18", "M1", False, "2026-04-05T06:00Z", "ACCEPTED", "2026-04-05T06:40Z"),  # 2400
    ]:
        lead = await _lead(conn, ids, name, offered, mp=mp, exclusive=exclusive)
        await offer(conn, lead, p, at(offered), response, responded and at(responded))
    # Competitors: q takes L4, L9 (DIRECT) and L16; r takes L5; r still pending on L16.
    await offer(conn, ids["L4"], q, at("2026-04-05T10:00Z"), "ACCEPTED", at("2026-04-05T11:00Z"))
    await offer(conn, ids["L5"], r, at("2026-04-06T10:00Z"), "ACCEPTED", at("2026-04-07T10:00Z"))
    await offer(conn, ids["L9"], q, at("2026-04-08T10:00Z"), "ACCEPTED", at("2026-04-08T12:00Z"))
    await offer(conn, ids["L16"], q, at("2026-04-10T10:30Z"), "ACCEPTED", at("2026-04-10T11:00Z"))
    await offer(conn, ids["L16"], r, at("2026-04-09T10:00Z"), "PENDING")


async def _events(conn, ids):
    p = ids["p"]
    for lead, occurred, kind, value in [
        ("L1", "2026-04-03T09:00Z", "FIRST_CONTACT", None),  # +86400
        ("L1", "2026-04-04T09:00Z", "FEEDBACK", None),  # +172800
        ("L1", "2026-04-06T09:00Z", "FEEDBACK", None),
        ("L1", "2026-04-08T09:00Z", "WON", None),  # +518400
        ("L1", "2026-04-08T10:00Z", "LEAD_RATING", 4),
        ("L1", "2026-04-08T10:00Z", "CUSTOMER_RATING", 5),
        ("L2", "2026-03-20T18:00Z", "FIRST_CONTACT", None),  # +21600
        ("L2", "2026-03-22T12:00Z", "FEEDBACK", None),  # +172800
        ("L2", "2026-03-25T12:00Z", "FEEDBACK", None),  # latest: 25 March -> silent
        ("L2", "2026-03-22T12:00Z", "LEAD_RATING", 2),
        # Accepted in the previous period, lost in this one: the previous cohort's loss.
        ("L3", "2026-04-05T10:00Z", "LOST", None),  # +25 days = 2160000
        ("L3", "2026-04-05T10:00Z", "LEAD_RATING", 5),
        ("L7", "2026-04-15T10:00Z", "LEAD_RATING", 1),  # after as-of: ignored
        ("L12", "2026-04-14T21:00Z", "FEEDBACK", None),  # 23:00 local 04-14: +2455200
        ("L12", "2026-04-14T22:30Z", "WON", None),  # 00:30 local 04-15: ignored
        ("L18", "2026-04-06T06:40Z", "FEEDBACK", None),  # +86400
        ("L13", "2026-03-19T10:50Z", "FIRST_CONTACT", None),  # +86400
        ("L13", "2026-03-28T10:50Z", "LOST", None),  # +864000
        ("L13", "2026-03-28T11:00Z", "LEAD_RATING", 3),
        ("L13", "2026-03-28T11:00Z", "CUSTOMER_RATING", 3),
    ]:
        await insert_event(conn, ids[lead], p, at(occurred), kind, value)
    # Another partner's LOST on L1 is not p's outcome.
    await insert_event(conn, ids["L1"], ids["q"], at("2026-04-09T09:00Z"), "LOST")


async def _partner_data(engine):
    async with engine.begin() as conn:
        importer = await insert_importer(conn, lead_due_days=10, lead_rating_enabled=True)
        ids = {"importer": importer}
        for name in ("p", "q", "r"):
            ids[name] = await insert_partner(conn, importer)
        for name in ("M1", "M2"):
            ids[name] = await insert_marketplace(conn, importer)
        await _offers(conn, ids)
        await _events(conn, ids)
    return ids


async def _partner(engine, ids, period, **filters):
    async with engine.connect() as conn:
        return await partner_oracle(conn, partner_id=ids["p"], today=TODAY, **period, **filters)


# The pipeline ignores period and filters. Open: L2, L7, L10, L11, L12 (its WON is
# after as-of), L18; not L17 (accepted today). Overdue: all but L7 (accepted 11 April)
# and L18 (accepted 5 April, exactly lead_due_days before today).
# Received: every offer up to as-of, i.e. all 18 but L15 (offered today).
PIPELINE = {"openLeads": 6, "overdueLeads": 4, "totalLeadsReceived": 17}

EMPTY_COHORT = {
    "feedbackRate": None,
    "timeToFirstFeedback": None,
    "silentLeads": 0,
    "won": 0,
    "lost": 0,
    "conversionRate": None,
    "timeToFirstContact": None,
    "salesCycle": None,
    "leadRating": None,
    "customerRating": None,
}


async def test_partner_current_period(engine):
    ids = await _partner_data(engine)
    got = await _partner(engine, ids, CURRENT)
    assert got == {
        # Offered in P: all but L3, L14, L15. L17 counts (offered 04-14 local) though
        # its acceptance (04-15 local) keeps it out of the cohort. L6 is pending.
        "offersReceived": 15,
        "accepted": 9,  # L1 L2 L7 L10 L11 L12 L13 L17 L18
        "declined": 3,  # L4 L8 L9
        "expired": 2,  # L5 (no responded_at), L16
        "pickRate": pytest.approx(9 / 14),
        "timeToAccept": 5000.0,  # (3600+7200+5400*3+3600+3000+9000+2400) / 9
        "timeToDecline": 2000.0,  # (1800+3600+600) / 3; EXPIRED never counts
        # Cohort (accepted 03-16..04-14 local): L1 L2 L7 L10 L11 L12 L13 L18.
        "feedbackRate": 0.5,  # L1 L2 L12 L18
        "timeToFirstFeedback": 721800.0,  # (172800+172800+2455200+86400) / 4
        "silentLeads": 2,  # L2 (feedback 25 March), L11 (accepted 31 March local)
        "won": 1,  # L1 (L12's WON is after as-of)
        "lost": 1,  # L13 (q's LOST on L1 is not p's; L3 is the previous cohort's)
        "conversionRate": 0.5,
        "timeToFirstContact": 64800.0,  # (86400+21600+86400) / 3
        "salesCycle": 691200.0,  # (518400+864000) / 2
        "leadRating": 3.0,  # (4+2+3) / 3
        "customerRating": None,  # disabled although CUSTOMER_RATING events exist
        "outflow": 3,  # L4 -> q, L5 -> r, L16 -> q; not L8 (nobody), not L9 (DIRECT)
        "outflowByPartner": {ids["q"]: 2, ids["r"]: 1},
        **PIPELINE,
    }


async def test_partner_previous_period_owns_its_cohorts_later_loss(engine):
    ids = await _partner_data(engine)
    got = await _partner(engine, ids, PREVIOUS)
    assert got == {
        "offersReceived": 1,  # L3
        "accepted": 1,
        "declined": 0,
        "expired": 0,
        "pickRate": 1.0,
        "timeToAccept": 86400.0,
        "timeToDecline": None,
        "feedbackRate": 0.0,
        "timeToFirstFeedback": None,
        "silentLeads": 0,
        "won": 0,
        "lost": 1,  # lost on 5 April, counted for the cohort accepted on 11 March
        "conversionRate": 0.0,
        "timeToFirstContact": None,
        "salesCycle": 2160000.0,  # 25 days
        "leadRating": 5.0,
        "customerRating": None,
        "outflow": 0,
        "outflowByPartner": {},
        **PIPELINE,
    }


async def test_partner_direct_leads_only(engine):
    ids = await _partner_data(engine)
    got = await _partner(engine, ids, CURRENT, source="DIRECT")
    assert got == {
        "offersReceived": 1,  # L9
        "accepted": 0,
        "declined": 1,
        "expired": 0,
        "pickRate": 0.0,
        "timeToAccept": None,
        "timeToDecline": 600.0,
        **EMPTY_COHORT,
        "outflow": 0,  # L9 went to q, but it is not a marketplace lead
        "outflowByPartner": {},
        **PIPELINE,
    }


async def test_partner_exclusive_leads_only(engine):
    ids = await _partner_data(engine)
    got = await _partner(engine, ids, CURRENT, exclusivity="EXCLUSIVE")
    assert got == {
        "offersReceived": 2,  # L7, L16 (L3 is in the previous period)
        "accepted": 1,
        "declined": 0,
        "expired": 1,
        "pickRate": 0.5,
        "timeToAccept": 5400.0,
        "timeToDecline": None,
        **EMPTY_COHORT,
        "feedbackRate": 0.0,  # cohort L7: no feedback, rating after as-of
        "outflow": 1,
        "outflowByPartner": {ids["q"]: 1},
        **PIPELINE,
    }


async def test_partner_shared_marketplace_leads(engine):
    ids = await _partner_data(engine)
    got = await _partner(engine, ids, CURRENT, source="MARKETPLACE", exclusivity="SHARED")
    # Offers: L1 L2 L4 L5 L6 L8 L10 L11 L12 L13 L17 L18;
    # cohort: L1 L2 L10 L11 L12 L13 L18, with feedback on L1 L2 L12 L18.
    assert (got["offersReceived"], got["accepted"], got["declined"], got["expired"]) == (
        12,
        8,
        2,
        1,
    )
    assert got["feedbackRate"] == pytest.approx(4 / 7)
    assert got["silentLeads"] == 2
    assert (got["outflow"], got["outflowByPartner"]) == (2, {ids["q"]: 1, ids["r"]: 1})


async def test_partner_one_marketplace(engine):
    ids = await _partner_data(engine)
    got = await _partner(engine, ids, CURRENT, marketplace_id=ids["M2"])
    # L5 and L16, both expired, both taken by a competitor.
    assert (got["offersReceived"], got["accepted"], got["expired"], got["pickRate"]) == (
        2,
        0,
        2,
        0.0,
    )
    assert (got["outflow"], got["outflowByPartner"]) == (2, {ids["q"]: 1, ids["r"]: 1})
    assert got["conversionRate"] is None


async def test_partner_ratings_follow_the_importers_switches(engine):
    ids = await _partner_data(engine)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE importers SET lead_rating_enabled = false, "
                "customer_rating_enabled = true WHERE id = :id"
            ),
            {"id": ids["importer"]},
        )
    got = await _partner(engine, ids, CURRENT)
    assert (got["leadRating"], got["customerRating"]) == (None, 4.0)  # (5+3) / 2
