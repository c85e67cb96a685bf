"""Lists of workshop dashboards completed from columns (server/schema/
dashboard_columns.py) answer exactly what standard execution answers: every
shape the columnar form takes (aliases, fragments, variables, directives,
partial selections, periods whose previous period is empty, workshops without
data, goals of their own) and every shape it declines, for every role that
sees dashboards, run both ways over HTTP against the same data, must give
byte-identical JSON; and the columnar form must really have answered the
shapes it takes (else the comparison would prove nothing)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from server.config import Settings
from server.processing.job import run_processing
from server.schema import dashboard_columns
from server.schema.connection import encode_cursor
from tests.both_ways import serve_both_ways
from tests.conftest import TODAY
from tests.generated import generate

_TREND = "trend { __typename previous change changePercent direction favorable }"
_INFO = "info { __typename key title description unit importerOnly judgement higherIsBetter }"
_COUNT = f"__typename value {_TREND} {_INFO}"
_EVERY = f"""
    __typename period {{ __typename from to days }} previousPeriod {{ from to days }} asOf
    newActivations {{ {_COUNT} }}
    leadsCreated {{ {_COUNT} }}
    chatConversations {{ {_COUNT} }}
    chatMessages {{ {_COUNT} }}
    chatFirstResponseTime {{ __typename value {_TREND} {_INFO} }}
    connectionRate {{
      __typename rate throughput eligible connected goal provisionalFrom {_TREND} {_INFO}
    }}"""
_IMPORTER_ONLY = f"marketingCampaignsSent {{ __typename value recipients {_TREND} {_INFO} }}"

_PERIODS = [
    "{preset: LAST_30_DAYS}",
    "{preset: LAST_7_DAYS}",
    "{preset: CURRENT_MONTH}",
    "{preset: CURRENT_QUARTER}",
    "{preset: LAST_365_DAYS}",
    # before any data: every value and previous value 0 (percent null, FLAT)
    '{from: "2020-01-01", to: "2020-01-31"}',
    # data now, none before: previous 0, percent null, UP
    f'{{from: "{(TODAY - timedelta(days=200)).isoformat()}", '
    f'to: "{(TODAY - timedelta(days=1)).isoformat()}"}}',
]

Query = tuple[str, dict[str, Any], bool]
"""(query, variables, whether the columnar form answers it)."""


def _list(fields: str, period: str = "{preset: LAST_30_DAYS}") -> str:
    return (
        f"{{ workshops(first: 20) {{ nodes {{ id dashboard(period: {period}) "
        f"{{ {fields} }} }} }} }}"
    )


def _taken(importer: bool) -> list[Query]:
    """Shapes the columnar form answers."""
    every = _EVERY + (_IMPORTER_ONLY if importer else "")
    after = encode_cursor("workshop", "w3")
    return [
        *((_list(every, period), {}, True) for period in _PERIODS),
        (_list("leadsCreated { value trend { previous } }"), {}, True),
        (_list("leadsCreated { trend { direction } }"), {}, True),
        (_list("connectionRate { rate trend { change changePercent } }"), {}, True),
        (_list("chatFirstResponseTime { value }", "{preset: LAST_365_DAYS}"), {}, True),
        (_list("__typename asOf period { from }"), {}, True),
        (_list("leadsCreated { value } p: period { from } x: asOf @skip(if: true)"), {}, True),
        # aliases at every level, the same metric twice
        (
            _list(
                "a: leadsCreated { v: value t: trend { p: previous d: direction } } "
                "b: leadsCreated { value } c: __typename p: period { f: from }"
            ),
            {},
            True,
        ),
        # named and inline fragments, variables, directives
        (
            "query($p: PeriodInput!, $yes: Boolean!, $no: Boolean!) { workshops(first: 20) { "
            "nodes { id dashboard(period: $p) { ...D ... on ActivationsDashboard { "
            "chatMessages { value @include(if: $yes) trend @skip(if: $no) { ...T } } } "
            "newActivations @skip(if: $yes) { value } } } } } "
            "fragment D on ActivationsDashboard { leadsCreated { ...T2 } asOf } "
            "fragment T on Trend { favorable changePercent } "
            "fragment T2 on CountMetric { value trend { ...T } }",
            {"p": {"preset": "LAST_90_DAYS"}, "yes": True, "no": False},
            True,
        ),
        # two dashboards per workshop (different periods), aliased pages
        (
            f"{{ a: workshops(first: 2) {{ nodes {{ id d1: dashboard(period: "
            f"{{preset: LAST_7_DAYS}}) {{ leadsCreated {{ value {_TREND} }} }} "
            f"d2: dashboard(period: {{preset: LAST_365_DAYS}}) {{ chatMessages {{ value }} }} }} }} "
            f'b: workshops(first: 20, after: "{after}") {{ nodes {{ id '
            f"dashboard(period: {{preset: LAST_7_DAYS}}) {{ leadsCreated {{ value }} }} }} }} }}",
            {},
            True,
        ),
    ]


def _declined() -> list[Query]:
    """Shapes it leaves to the per-item path, and lists it never sees."""
    return [
        (_list("activeStaff { value }"), {}, False),
        (_list("newActivations { value series { value } }"), {}, False),
        (_list("connectionRate { rate newestDataDate dataAgeDays }"), {}, False),
        (_list("workshopActivity { activeDays }"), {}, False),
        (_list("leadsCreated { value }", '{from: "2020-01-10", to: "2020-01-01"}'), {}, False),
        (
            '{ workshops(search: "no such workshop") { nodes { id '
            "dashboard(period: {preset: LAST_30_DAYS}) { leadsCreated { value } } } } }",
            {},
            False,
        ),
    ]


ROLES: list[tuple[str, dict[str, Any]]] = [
    ("importer", {}),
    ("workshop", {"workshops": ["w2", "w5", "w7"]}),
]


@pytest.fixture
async def both_ways(
    engine: Any, settings: Settings, database_url: str, token: Callable[..., str]
) -> AsyncIterator[Callable[..., Any]]:
    """Both apps over the seeded data, each with its day copy of that data
    (the columnar form declines while a copy is behind)."""
    async with AsyncExitStack() as stack:
        both = await serve_both_ways(stack, settings, database_url, "fast_execution")
        await _seed(engine)
        ask = both.asker(token)
        await ask(_list("leadsCreated { value }"), {}, "importer", {})  # sees the new version
        for app in both.apps:
            await app.state.insights.day_copy.settled()
        yield ask


@pytest.fixture
def columnar_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many lists the columnar form has answered (observed, not replaced)."""
    answered: list[int] = []
    rows = dashboard_columns._Dashboards.rows

    def observed(self: Any, selection: Any) -> Any:
        found = rows(self, selection)
        answered.append(len(found))
        return found

    monkeypatch.setattr(dashboard_columns._Dashboards, "rows", observed)
    return answered


async def _seed(engine: Any) -> None:
    async with engine.begin() as conn:
        await generate(conn, seed=3, last_day=TODAY - timedelta(days=1))
        # workshops without any data, and one with a goal of its own
        await conn.execute(
            text(
                "INSERT INTO workshops (importer_id, workshop_ref, name, connection_rate_goal) "
                "SELECT importer_id, 'w' || n, 'Empty ' || n, CASE WHEN n = 7 THEN 0.25 END "
                "FROM workshops, generate_series(6, 8) n WHERE workshop_ref = 'w1'"
            )
        )
        await conn.execute(
            text("UPDATE workshops SET connection_rate_goal = 0.6 WHERE workshop_ref = 'w2'")
        )
    await run_processing(engine, today=TODAY)


async def test_lists_from_columns_answer_what_standard_execution_answers(
    both_ways, columnar_answers
):
    compared = 0
    for role, claims in ROLES:
        for query, variables, taken in [*_taken(role == "importer"), *_declined()]:
            before = len(columnar_answers)
            fast, standard = await both_ways(query, variables, role, claims)
            assert fast == standard, f"{role}: differs for {query[:300]}"
            body = httpx.Response(200, content=fast[1]).json()
            # a period that ends before it starts; a field only importers see
            failing = "2020-01-10" in query or (role != "importer" and "workshopActivity" in query)
            assert ("errors" in body) == failing, body
            assert (len(columnar_answers) > before) == taken, f"{role}: {query[:300]}"
            compared += 1
    assert compared == 2 * (len(_taken(True)) + len(_declined()))


async def test_trends_of_an_empty_previous_period_are_null_both_ways(both_ways, columnar_answers):
    """Guards the comparison above: the shapes it covers do reach the edge
    cases (a previous period of zero gives a null percentage and UP; a
    workshop without data gives zeros and FLAT; a goal of its own wins)."""
    query = _list(f"leadsCreated {{ value {_TREND} }} connectionRate {{ goal }}", _PERIODS[-1])
    (_, raw), _ = await both_ways(query, {}, "importer", {})
    nodes = {
        n["id"]: n["dashboard"]
        for n in httpx.Response(200, content=raw).json()["data"]["workshops"]["nodes"]
    }
    assert columnar_answers
    empty = nodes["w6"]["leadsCreated"]
    assert empty["value"] == 0 and empty["trend"]["direction"] == "FLAT"
    assert empty["trend"]["changePercent"] is None and empty["trend"]["previous"] == 0
    assert nodes["w7"]["connectionRate"]["goal"] == 0.25
    assert nodes["w2"]["connectionRate"]["goal"] == 0.6
    grown = [d["leadsCreated"] for d in nodes.values() if d["leadsCreated"]["value"]]
    assert grown and all(d["trend"]["direction"] == "UP" for d in grown)
    assert all(d["trend"]["changePercent"] is None for d in grown)
