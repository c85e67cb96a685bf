"""The in-process columnar copy of ``workshop_day`` (server/metrics/columnar.py)
answers exactly what SQL answers: many dashboard queries — every role, presets
and custom periods inside, across and beyond the data, scopes from one workshop
to the importer, every series granularity, lists of dashboards — asked of an
app reading the copy and of one reading SQL give byte-identical JSON; and the
copy app really read no day rows from SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from server.config import Settings
from server.processing.job import run_processing
from tests.both_ways import serve_both_ways
from tests.conftest import TODAY
from tests.generated import generate
from tests.statements import counting
from tests.test_fast_execution import ROLES, _every_plain_field, _fixed_queries

_TREND = "trend { previous change changePercent direction favorable }"


def _count(name: str, granularity: str) -> str:
    return (
        f"{name} {{ value {_TREND} series(granularity: {granularity}) {{ date value }}"
        f" previousSeries(granularity: {granularity}) {{ date value }} }}"
    )


def _dashboard(granularity: str, sort: str = "ACTIVE_DAYS", descending: str = "true") -> str:
    counts = " ".join(
        _count(n, granularity)
        for n in ("newActivations", "leadsCreated", "chatConversations", "chatMessages")
    )
    return f"""
    query($ids: [ID!], $period: PeriodInput!) {{
      activationsDashboard(workshopIds: $ids, period: $period) {{
        period {{ from to days }} previousPeriod {{ from to days }} asOf
        {counts}
        chatFirstResponseTime {{ value {_TREND} }}
        marketingCampaignsSent {{ value recipients {_TREND} }}
        activeStaff {{ value }}
        connectionRate {{ rate throughput eligible connected goal provisionalFrom {_TREND}
          series(granularity: {granularity}) {{ date throughput eligible connected rate provisional }} }}
        workshopActivity(sortBy: {sort}, descending: {descending}) {{
          workshop {{ id }} activeDays activeDayShare actions lastActiveDay }}
      }}
    }}"""


_TOTALS_ONLY = """
query($ids: [ID!], $period: PeriodInput!) {
  activationsDashboard(workshopIds: $ids, period: $period) {
    newActivations { value trend { change } } chatMessages { value }
    chatFirstResponseTime { value trend { previous change } }
    connectionRate { rate throughput eligible connected }
    marketingCampaignsSent { value recipients }
  }
}"""

_LIST = """
query($period: PeriodInput!) {
  workshops(first: 50) { nodes { id
    dashboard(period: $period) {
      newActivations { value trend { change changePercent } }
      chatFirstResponseTime { value }
      connectionRate { rate series(granularity: WEEK) { rate } }
    }
    a: dashboard(period: $period) { leadsCreated { value series { value } } }
  } }
}"""


def _periods() -> list[dict[str, Any]]:
    as_of = TODAY - timedelta(days=1)
    presets = [
        {"preset": p}
        for p in (
            "LAST_7_DAYS",
            "LAST_14_DAYS",
            "LAST_30_DAYS",
            "LAST_90_DAYS",
            "LAST_365_DAYS",
            "CURRENT_MONTH",
            "CURRENT_QUARTER",
            "CURRENT_YEAR",
        )
    ]
    spans = [(0, 0), (3, 9), (20, 45), (60, 69), (65, 80), (100, 140), (-5, 3), (69, 69)]
    first = as_of - timedelta(days=69)
    custom = [
        {"from": str(first + timedelta(days=a)), "to": str(min(first + timedelta(days=b), as_of))}
        for a, b in spans
    ]
    return presets + custom + [{"from": str(date(2026, 1, 1)), "to": str(date(2026, 1, 31))}]


_SCOPES: list[list[str] | None] = [
    None,
    ["w1"],
    ["w2", "w4"],
    ["w1", "w2", "w3", "w5"],
    ["w3"],
    ["w2", "w2", "w1"],
    ["w1", "w2", "w3", "w4", "w5"],
]


def _queries() -> list[tuple[str, dict[str, Any]]]:
    queries: list[tuple[str, dict[str, Any]]] = list(_fixed_queries())
    for n, period in enumerate(_periods()):
        granularity = ("DAY", "WEEK", "MONTH")[n % 3]
        sort = ("ACTIVE_DAYS", "ACTIONS", "LAST_ACTIVE_DAY", "NAME")[n % 4]
        dashboard = _dashboard(granularity, sort, ("true", "false")[n % 2])
        for scope in _SCOPES:
            queries.append((dashboard, {"ids": scope, "period": period}))
            queries.append((_TOTALS_ONLY, {"ids": scope, "period": period}))
        queries.append((_LIST, {"period": period}))
    # a long custom period: mostly days without data, on either side
    long = {"from": "2012-01-01", "to": str(TODAY - timedelta(days=1))}
    for scope in (None, ["w1"]):
        queries.append((_dashboard("MONTH", "NAME"), {"ids": scope, "period": long}))
    return queries


@pytest.fixture
async def copy_and_sql(
    settings: Settings, database_url: str, token: Callable[..., str], engine: Any
) -> AsyncIterator[tuple[Callable[..., Any], list[str]]]:
    async with engine.begin() as conn:
        await generate(conn, seed=5, last_day=TODAY - timedelta(days=1))
    await run_processing(engine, today=TODAY)
    async with AsyncExitStack() as stack:
        both = await serve_both_ways(stack, settings, database_url, "day_copy")
        copy_state = both.apps[0].state.insights.day_copy
        assert copy_state.state == "warm" and copy_state.nbytes > 0
        from_copy = stack.enter_context(counting(both.apps[0].state.insights.engine))
        yield both.asker(token), from_copy


async def test_the_copy_answers_what_sql_answers(copy_and_sql):
    ask, from_copy = copy_and_sql
    compared = 0
    for role, claims in ROLES:
        for query, variables in _queries():
            copy, sql = await ask(query, variables, role, claims)
            assert copy == sql, f"{role}: differs for {variables} {query[:300]}"
            compared += 1
    assert compared > 500
    assert not [s for s in from_copy if "workshop_day" in s and "workshop_day_users" not in s], (
        "day rows read from SQL"
    )
    # the queries did reach data (not only empty answers compared)
    (_status, body), _ = await ask(
        _TOTALS_ONLY, {"ids": None, "period": _periods()[3]}, "importer", {}
    )
    assert b'"newActivations":{"value":0' not in body


async def test_every_plain_field_the_same_both_ways(copy_and_sql):
    ask, _ = copy_and_sql
    from tests.test_catalog_loading import _TYPES

    for role, claims in ROLES:
        (_, raw), _ = await ask(_TYPES, {}, role, claims)
        types = {
            t["name"]: t
            for t in httpx.Response(200, content=raw).json()["data"]["__schema"]["types"]
        }
        for query, variables in _every_plain_field(types):
            copy, sql = await ask(query, variables, role, claims)
            assert copy == sql, f"{role}: differs for {query[:300]}"


_RESPONSE_TIME = """
query($ids: [ID!], $period: PeriodInput!) {
  activationsDashboard(workshopIds: $ids, period: $period) {
    chatFirstResponseTime { value trend { previous change changePercent direction favorable } }
    chatMessages { value trend { previous change } series { date value } }
  }
}"""


async def test_fractional_response_seconds_agree_up_to_float_rounding(
    engine, settings, database_url, token
):
    """Response times with microseconds are not integral: the copy sums them in
    float64 and agrees with SQL up to rounding (SQL's own float sums vary with
    their order the same way); everything else stays identical."""
    import random

    from tests.oracle.fixtures import insert_chat, insert_importer, insert_workshop

    rng = random.Random(8)
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        workshops = [await insert_workshop(c, imp, ref=f"w{n}") for n in range(1, 4)]
        for _ in range(300):
            started = datetime.combine(
                TODAY - timedelta(days=rng.randrange(1, 70)), datetime.min.time(), tzinfo=UTC
            ) + timedelta(seconds=rng.random() * 80_000)
            answered = started + timedelta(seconds=rng.random() * 9_000)
            await insert_chat(c, rng.choice(workshops), started, rng.randint(1, 9), answered)
    await run_processing(engine, today=TODAY)
    answers = []
    headers = {"Authorization": f"Bearer {token('importer')}"}
    async with AsyncExitStack() as stack:
        clients = (await serve_both_ways(stack, settings, database_url, "day_copy")).clients
        for period in _periods():
            for scope in (None, ["w1"], ["w2", "w3"]):
                variables = {"ids": scope, "period": period}
                pair = [
                    (
                        await http.post(
                            "/graphql",
                            json={"query": _RESPONSE_TIME, "variables": variables},
                            headers=headers,
                        )
                    ).json()
                    for http in clients
                ]
                answers.append((variables, *pair))
    fractional = 0
    for variables, copy, sql in answers:
        assert copy.get("errors") == sql.get("errors"), variables
        if "data" not in sql or sql["data"] is None:
            continue
        a, b = copy["data"]["activationsDashboard"], sql["data"]["activationsDashboard"]
        assert a["chatMessages"] == b["chatMessages"], variables
        x, y = a["chatFirstResponseTime"], b["chatFirstResponseTime"]
        for field in ("value",):
            assert (x[field] is None) == (y[field] is None), variables
            if y[field] is not None:
                fractional += y[field] != int(y[field])
                assert x[field] == pytest.approx(y[field], rel=1e-12), variables
        for field in ("previous", "change", "changePercent"):
            if y["trend"][field] is None:
                assert x["trend"][field] is None, variables
            else:
                assert x["trend"][field] == pytest.approx(y["trend"][field], rel=1e-9, abs=1e-9)
    assert fractional > 10
