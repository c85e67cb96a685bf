"""The Activations and Performance dashboard on small hand-built data, with the
expected values computed by hand (comments say how). Through HTTP, like a client.

Importer 'imp' in Europe/Copenhagen (UTC+1 in November); today 2026-11-24, so
as-of is 2026-11-23. Period: 2026-11-01..10 (10 days), previous 2026-10-22..31.
"""

from datetime import UTC, date, datetime

import pytest

from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.oracle.fixtures import (
    insert_activation,
    insert_app_activity,
    insert_campaign,
    insert_chat,
    insert_importer,
    insert_lead,
    insert_rule,
    insert_staff_activity,
    insert_vehicle,
    insert_visit,
    insert_workshop,
)

PERIOD = {"from": "2026-11-01", "to": "2026-11-10"}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def data(engine):
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp", connection_rate_goal=0.5)
        w1 = await insert_workshop(c, imp, ref="w1")
        w2 = await insert_workshop(c, imp, ref="w2", connection_rate_goal=0.8)
        await insert_rule(c, imp, "brand", include=True)  # make matched case-insensitively
        await insert_rule(c, imp, "Brand", include=False, year_to=2015)
        v1 = await insert_vehicle(c, imp, "BRAND", "X", 2020)  # eligible
        v2 = await insert_vehicle(c, imp, "Brand", "X", 2014)  # excluded model year
        v3 = await insert_vehicle(c, imp, "Brand", "Y", 2021)  # eligible
        v4 = await insert_vehicle(c, imp, "Other", "Z", 2022)  # no include rule matches
        v5 = await insert_vehicle(c, imp, "Brand", "X", 2019)  # eligible
        v6 = await insert_vehicle(c, imp, "Brand", "X", 2019)  # eligible
        # W1 visits departing in the period
        await insert_visit(
            c, w1, v1, utc(2026, 11, 2, 9), utc(2026, 11, 3, 10)
        )  # connected: activation exactly 168 h later
        await insert_activation(c, w1, v1, utc(2026, 11, 3, 10), utc(2026, 11, 10, 10))
        await insert_visit(
            c, w1, v3, utc(2026, 11, 4, 8), utc(2026, 11, 4, 10)
        )  # activation 1 h after the grace: not connected
        await insert_activation(c, w1, v3, utc(2026, 11, 4, 10), utc(2026, 11, 11, 11))
        await insert_visit(
            c, w1, v2, utc(2026, 11, 5, 8), utc(2026, 11, 5, 10)
        )  # not eligible (2014)
        await insert_visit(
            c, w1, v4, utc(2026, 11, 5, 8), utc(2026, 11, 5, 10)
        )  # not eligible (make)
        # departs 23:30 UTC on the 9th = 00:30 local on the 10th: in the period; deactivated before departure
        await insert_visit(c, w1, v5, utc(2026, 11, 9, 8), utc(2026, 11, 9, 23, 30))
        await insert_activation(
            c, w1, v5, utc(2026, 11, 1, 8), utc(2026, 11, 1, 9), utc(2026, 11, 9, 12)
        )
        # departs 23:30 UTC on the 10th = the 11th locally: outside the period
        await insert_visit(c, w1, v6, utc(2026, 11, 10, 8), utc(2026, 11, 10, 23, 30))
        await insert_activation(
            c, w2, v6, utc(2026, 11, 10, 7), utc(2026, 11, 10, 8)
        )  # invited by W2
        await insert_visit(
            c, w1, v3, utc(2026, 11, 20, 8)
        )  # still in the workshop: newest data 2026-11-20
        await insert_activation(
            c, w1, v4, utc(2026, 10, 25, 8), utc(2026, 10, 25, 9)
        )  # previous period
        # leads: two in the period at W1, none before
        await insert_lead(c, imp, utc(2026, 11, 2, 12), workshop_id=w1)
        await insert_lead(c, imp, utc(2026, 11, 9, 12), workshop_id=w1)
        await insert_lead(c, imp, utc(2026, 11, 9, 12))  # no workshop: counts for none
        # chats at W1: 5 + 3 messages, one answered after 600 s
        await insert_chat(c, w1, utc(2026, 11, 2, 10), 5, utc(2026, 11, 2, 10, 10))
        await insert_chat(c, w1, utc(2026, 11, 3, 10), 3)
        # staff: u1 on 2 and 3 Nov at W1 and on 4 Nov at W2; u2 on 3 Nov at W1
        await insert_staff_activity(c, w1, "u1", date(2026, 11, 2), 5)
        await insert_staff_activity(c, w1, "u1", date(2026, 11, 3), 3)
        await insert_staff_activity(c, w1, "u2", date(2026, 11, 3), 4)
        await insert_staff_activity(c, w2, "u1", date(2026, 11, 4), 2)
        # app users: a1 on two days and a2 at W1, a3 at W2
        await insert_app_activity(c, w1, "a1", date(2026, 11, 1))
        await insert_app_activity(c, w1, "a1", date(2026, 11, 5))
        await insert_app_activity(c, w1, "a2", date(2026, 11, 5))
        await insert_app_activity(c, w2, "a3", date(2026, 11, 6))
        await insert_campaign(c, w1, utc(2026, 11, 7, 9), 100)
        await insert_campaign(c, w2, utc(2026, 11, 8, 9), 50)
    await run_processing(engine, today=TODAY)
    return {"imp": imp, "w1": w1, "w2": w2}


DASHBOARD = """
query($ids: [ID!], $period: PeriodInput!) {
  activationsDashboard(workshopIds: $ids, period: $period) {
    period { from to days } previousPeriod { from to days } asOf
    newActivations { value trend { previous change changePercent direction favorable } }
    leadsCreated { value trend { previous change changePercent direction favorable } }
    chatConversations { value } chatMessages { value }
    chatFirstResponseTime { value trend { previous change direction favorable } }
    activeStaff { value series { date value } }
    appUsers { value }
    marketingCampaignsSent { value recipients }
    connectionRate { rate throughput eligible connected goal provisionalFrom newestDataDate dataAgeDays
                     trend { previous direction } series { date throughput eligible connected rate provisional } }
    workshopActivity { workshop { id } activeDays activeDayShare actions lastActiveDay }
  }
}"""


async def dashboard(gql, ids, period=PERIOD, **claims):
    body = await gql(DASHBOARD, {"ids": ids, "period": period}, **claims)
    assert "errors" not in body, body
    return body["data"]["activationsDashboard"]


async def test_single_workshop_every_metric(gql, data):
    d = await dashboard(gql, ["w1"])
    assert d["period"] == {"from": "2026-11-01", "to": "2026-11-10", "days": 10}
    assert d["previousPeriod"] == {"from": "2026-10-22", "to": "2026-10-31", "days": 10}
    assert d["asOf"] == "2026-11-23"
    # V1 on 10 Nov and V5 on 1 Nov (V3's on 11 Nov is outside); 1 before (V4 on 25 Oct)
    assert d["newActivations"] == {
        "value": 2,
        "trend": {
            "previous": 1.0,
            "change": 1.0,
            "changePercent": 100.0,
            "direction": "UP",
            "favorable": True,
        },
    }
    # previous period of zero: changePercent null
    assert d["leadsCreated"] == {
        "value": 2,
        "trend": {
            "previous": 0.0,
            "change": 2.0,
            "changePercent": None,
            "direction": "UP",
            "favorable": True,
        },
    }
    assert d["chatConversations"] == {"value": 2}
    assert d["chatMessages"] == {"value": 8}
    # a mean over nothing is null, never 0; lower is better
    assert d["chatFirstResponseTime"] == {
        "value": 600.0,
        "trend": {"previous": None, "change": None, "direction": "FLAT", "favorable": None},
    }
    # distinct over the period: u1 (2 days) and u2 = 2, not the 3 daily rows
    assert d["activeStaff"]["value"] == 2
    staff_days = {p["date"]: p["value"] for p in d["activeStaff"]["series"]}
    assert len(staff_days) == 10
    assert (
        staff_days["2026-11-02"] == 1
        and staff_days["2026-11-03"] == 2
        and staff_days["2026-11-04"] == 0
    )
    assert d["appUsers"]["value"] == 2
    assert d["marketingCampaignsSent"] == {"value": 1, "recipients": 100}
    cr = d["connectionRate"]
    # throughput: v1, v3(V3), v2, v4, v5 = 5; eligible: V1, V3, V5 = 3; connected: V1 only
    assert (cr["throughput"], cr["eligible"], cr["connected"]) == (5, 3, 1)
    assert cr["rate"] == pytest.approx(1 / 3)
    assert cr["goal"] == 0.5  # no own goal: the importer's
    assert cr["provisionalFrom"] is None  # 10 Nov <= today - 11
    assert cr["newestDataDate"] == "2026-11-20"
    assert cr["dataAgeDays"] == 4
    assert cr["trend"] == {"previous": None, "direction": "FLAT"}  # empty denominator before
    by_day = {p["date"]: p for p in cr["series"]}
    assert len(by_day) == 10
    assert by_day["2026-11-10"] == {
        "date": "2026-11-10",
        "throughput": 1,
        "eligible": 1,
        "connected": 0,
        "rate": 0.0,
        "provisional": False,
    }
    assert by_day["2026-11-01"]["rate"] is None  # no eligible departures that day
    assert d["workshopActivity"] == [
        {
            "workshop": {"id": "w1"},
            "activeDays": 2,
            "activeDayShare": 0.2,
            "actions": 12,
            "lastActiveDay": "2026-11-03",
        }
    ]


async def test_all_workshops_by_default(gql, data):
    d = await dashboard(gql, None)
    assert d["newActivations"]["value"] == 3  # + V6's activation invited by W2
    # u1 at W1 and W2 counts once
    assert d["activeStaff"]["value"] == 2
    assert d["appUsers"]["value"] == 3
    assert d["marketingCampaignsSent"] == {"value": 2, "recipients": 150}
    assert d["connectionRate"]["goal"] == 0.5  # several workshops: the importer's goal
    assert d["workshopActivity"] == [
        {
            "workshop": {"id": "w1"},
            "activeDays": 2,
            "activeDayShare": 0.2,
            "actions": 12,
            "lastActiveDay": "2026-11-03",
        },
        {
            "workshop": {"id": "w2"},
            "activeDays": 1,
            "activeDayShare": 0.1,
            "actions": 2,
            "lastActiveDay": "2026-11-04",
        },
    ]


async def test_workshop_goal_overrides_importer(gql, data):
    d = await dashboard(gql, ["w2"])
    assert d["connectionRate"]["goal"] == 0.8
    assert (
        d["connectionRate"]["newestDataDate"] is None and d["connectionRate"]["dataAgeDays"] is None
    )


async def test_provisional_days(gql, data):
    body = await gql(
        '{ activationsDashboard(workshopIds: ["w1"], period: {preset: LAST_14_DAYS}) {'
        " period { from to } connectionRate { provisionalFrom series { date provisional } } } }"
    )
    d = body["data"]["activationsDashboard"]
    assert d["period"] == {"from": "2026-11-10", "to": "2026-11-23"}
    # provisional while D > today - 11 = 2026-11-13
    assert d["connectionRate"]["provisionalFrom"] == "2026-11-14"
    flags = {p["date"]: p["provisional"] for p in d["connectionRate"]["series"]}
    assert (
        flags["2026-11-13"] is False and flags["2026-11-14"] is True and flags["2026-11-23"] is True
    )


async def test_weekly_series_and_previous_series(gql, data):
    body = await gql(
        '{ activationsDashboard(workshopIds: ["w1"], period: {from: "2026-11-01", to: "2026-11-10"}) {'
        " newActivations { series(granularity: WEEK) { date value } previousSeries(granularity: WEEK) { date value offset alignsWith } } } }"
    )
    m = body["data"]["activationsDashboard"]["newActivations"]
    # weeks start Monday: Sun 1 Nov | Mon 2..Sun 8 | Mon 9..Tue 10
    assert m["series"] == [
        {"date": "2026-11-01", "value": 1},
        {"date": "2026-11-02", "value": 0},
        {"date": "2026-11-09", "value": 1},
    ]
    # previous period 22..31 Oct: Thu 22..Sun 25 | Mon 26..Sat 31: two buckets, both
    # dated inside it; the third current bucket has no previous one (issue 13)
    assert m["previousSeries"] == [
        {"date": "2026-10-22", "value": 1, "offset": 0, "alignsWith": "2026-11-01"},
        {"date": "2026-10-26", "value": 0, "offset": 1, "alignsWith": "2026-11-02"},
    ]


async def test_workshop_dashboard_field_matches(gql, data):
    body = await gql(
        '{ workshop(id: "w1") { name dashboard(period: {from: "2026-11-01", to: "2026-11-10"}) { newActivations { value } connectionRate { connected } } } }'
    )
    assert body["data"]["workshop"]["dashboard"] == {
        "newActivations": {"value": 2},
        "connectionRate": {"connected": 1},
    }


@pytest.mark.parametrize(
    ("period", "fragment"),
    [
        ({"from": "2026-11-10", "to": "2026-11-01"}, "after"),
        ({"from": "2026-11-01", "to": "2026-11-24"}, "2026-11-23"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "3 years"),
        ({"preset": "CUSTOM"}, "from"),
    ],
)
async def test_bad_periods_are_bad_user_input(gql, data, period, fragment):
    body = await gql(DASHBOARD, {"ids": ["w1"], "period": period})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]


async def test_unknown_preset_is_bad_user_input(gql, data):
    body = await gql(DASHBOARD, {"ids": ["w1"], "period": {"preset": "LAST_8_DAYS"}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


SMALL = "query($ids: [ID!], $period: PeriodInput!) { activationsDashboard(workshopIds: $ids, period: $period) { newActivations { value } } }"


async def test_id_outside_scope_fails_the_field(gql, data):
    body = await gql(SMALL, {"ids": ["w1"], "period": PERIOD}, role="workshop", workshops=["w1"])
    assert body["data"]["activationsDashboard"] == {"newActivations": {"value": 2}}
    body = await gql(
        SMALL, {"ids": ["w1", "w2"], "period": PERIOD}, role="workshop", workshops=["w1"]
    )
    assert body["data"] is None or body["data"]["activationsDashboard"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql(DASHBOARD, {"ids": ["w1", "nope"], "period": PERIOD})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_goals_are_set_by_importers_only(gql, data):
    body = await gql(
        'mutation { setConnectionRateGoal(workshopId: "w1", goal: 0.7) { workshop { id connectionRateGoal } goal } }'
    )
    assert body["data"]["setConnectionRateGoal"] == {
        "workshop": {"id": "w1", "connectionRateGoal": 0.7},
        "goal": 0.7,
    }
    body = await gql(
        '{ workshop(id: "w1") { connectionRateGoal dashboard(period: {preset: LAST_7_DAYS}) { connectionRate { goal } } } }',
        role="workshop",
        workshops=["w1"],
    )
    assert body["data"]["workshop"] == {
        "connectionRateGoal": 0.7,
        "dashboard": {"connectionRate": {"goal": 0.7}},
    }
    body = await gql("mutation { setConnectionRateGoal(goal: 1.5) { goal } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql("mutation { setConnectionRateGoal(goal: null) { goal importerGoal } }")
    assert body["data"]["setConnectionRateGoal"] == {"goal": None, "importerGoal": None}
    body = await gql(
        'mutation { setConnectionRateGoal(workshopId: "w1", goal: 0.1) { goal } }',
        role="workshop",
        workshops=["w1"],
    )
    assert "Cannot query field" in body["errors"][0]["message"]


async def test_fragments_load_the_families_they_name(gql, data):
    body = await gql(
        """query { activationsDashboard(workshopIds: ["w1"], period: {from: "2026-11-01", to: "2026-11-10"}) {
             ...counts ... on ActivationsDashboard { activeStaff { value } } } }
           fragment counts on ActivationsDashboard { newActivations { value } connectionRate { connected newestDataDate } }"""
    )
    assert body["data"]["activationsDashboard"] == {
        "newActivations": {"value": 2},
        "connectionRate": {"connected": 1, "newestDataDate": "2026-11-20"},
        "activeStaff": {"value": 2},
    }


async def test_new_processing_refreshes_distinct_counts(gql, data, engine):
    query = '{ activationsDashboard(workshopIds: ["w1"], period: {from: "2026-11-01", to: "2026-11-10"}) { appUsers { value } } }'

    async def app_users():
        return (await gql(query))["data"]["activationsDashboard"]["appUsers"]["value"]

    assert await app_users() == 2
    async with engine.begin() as c:
        await insert_app_activity(c, data["w1"], "a9", date(2026, 11, 9))
    assert await app_users() == 2  # not processed yet: dashboards read processed data
    # a raw insert marks no dirty day: rebuild that day explicitly
    await run_processing(engine, today=TODAY, start=date(2026, 11, 9), end=date(2026, 11, 9))
    assert await app_users() == 3
