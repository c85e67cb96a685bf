"""The plain-data shortcut of execution (server/schema/fast_execution.py) answers
exactly what Strawberry's standard execution answers: every example query of
the README, every benchmark query, the dashboard tests' queries and every
field reachable without arguments, for every role, run both ways over HTTP
against the same data, must give byte-identical JSON (errors included)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import canonical
from bench import queries as bench
from server.config import Settings
from server.processing.job import run_processing
from server.schema.connection import encode_cursor
from tests import test_activations_batching, test_activations_dashboard, test_partner_dashboard
from tests.both_ways import serve_both_ways
from tests.conftest import TODAY
from tests.generated import generate
from tests.test_catalog_loading import _TYPES, _plain_fields, _selection
from tests.test_partner_dashboard import NAMES, P, build_world

ROLES: list[tuple[str, dict[str, Any]]] = [
    ("importer", {}),
    ("workshop", {"workshops": ["w1", "w2"]}),
    ("partner_manager", {}),
    ("sales_partner", {"partner": P}),
    ("integration", {}),
]

Query = tuple[str, dict[str, Any]]


def _readme_examples() -> list[Query]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    return [(q, {}) for q in re.findall(r"```graphql\n(.*?)```", readme, re.S)]


def _fixed_queries() -> list[Query]:
    month = {"period": {"preset": "CURRENT_MONTH"}}
    return [
        *_readme_examples(),
        (bench.ACTIVATIONS_DASHBOARD, bench.last_30_days()),
        (bench.WORKSHOP_LIST, {}),
        (bench.partner_dashboards(sorted(NAMES)), {}),
        (bench.ALL_PARTNER_DASHBOARDS, {}),
        (
            test_activations_dashboard.DASHBOARD,
            {"ids": ["w1", "w2"], "period": {"preset": "LAST_30_DAYS"}},
        ),
        (test_activations_dashboard.DASHBOARD, {"ids": None, "period": month["period"]}),
        (test_partner_dashboard.DASHBOARD, {"id": P, "filter": month}),
        (test_activations_batching.QUERY, {"n": 3}),
        *(q for size in (1, 2, 5) for q in _list_queries(size, lambda n: f"w{n}")),
        # insights bench's canonical requests, (b) and (c) among them, at a small size
        *((r.query, {}) for r in canonical.requests(workshops=5, partners=3)),
        ("{ __typename me { __typename role } metricCatalog { key title unit } }", {}),
    ]


_TREND = "trend { previous change changePercent direction favorable }"
_PLAIN_DASHBOARD = f"""
    __typename period {{ from to days }} previousPeriod {{ from to days }} asOf
    newActivations {{ value {_TREND} info {{ key title unit }} }}
    leadsCreated {{ value trend {{ previous }} }}
    chatConversations {{ value {_TREND} }}
    chatFirstResponseTime {{ value {_TREND} }}
    activeStaff {{ value {_TREND} }}
    connectionRate {{
      rate throughput eligible connected goal provisionalFrom newestDataDate dataAgeDays {_TREND}
    }}"""


def _list_queries(size: int, ref: Callable[[int], str]) -> list[Query]:
    """Lists of workshop dashboards: the batched path (plain dashboards, aliases,
    variables, fragments, directives, several pages) and what must leave it
    (series with arguments, errors in the period, edges)."""
    leads = "leadsCreated { value trend { previous } }"
    half = max(1, size // 2)
    after = encode_cursor("workshop", ref(half))
    bad = '{from: "2020-01-10", to: "2020-01-01"}'
    return [
        (
            f"{{ workshops(first: {size}) {{ nodes {{ id dashboard(period: "
            f"{{preset: LAST_30_DAYS}}) {{ {leads} }} }} }} }}",
            {},
        ),
        (
            "query($n: Int, $p: PeriodInput!) { workshops(first: $n) { totalCount "
            "nodes { __typename id name city d1: dashboard(period: $p) { ...D } "
            f"d2: dashboard(period: {{preset: CURRENT_MONTH}}) {{ {leads} }} }} }} }} "
            f"fragment D on ActivationsDashboard {{ {_PLAIN_DASHBOARD} }}",
            {"n": size, "p": {"preset": "LAST_30_DAYS"}},
        ),
        (
            f"{{ a: workshops(first: {half}) {{ nodes {{ id dashboard(period: "
            f"{{preset: LAST_7_DAYS}}) {{ {leads} }} }} }} "
            f'b: workshops(first: {size}, after: "{after}") {{ nodes {{ id '
            f"dashboard(period: {{preset: LAST_7_DAYS}}) {{ {leads} }} }} }} }}",
            {},
        ),
        (
            f"query($yes: Boolean!) {{ workshops(first: {size}) {{ nodes {{ id "
            f"dashboard(period: {{preset: LAST_30_DAYS}}) @include(if: $yes) {{ {leads} }} "
            f"other: dashboard(period: {{preset: LAST_30_DAYS}}) @skip(if: $yes) {{ {leads} }} "
            "} } }",
            {"yes": True},
        ),
        (
            f"{{ workshops(first: {size}) {{ nodes {{ id dashboard(period: {bad}) {{ {leads} }} }} }} }}",
            {},
        ),
        (
            f"{{ workshops(first: {size}) {{ nodes {{ id dashboard(period: "
            f"{{preset: LAST_30_DAYS}}) {{ newActivations {{ value series {{ date value }} }} }} }} }} }}",
            {},
        ),
        (
            f"{{ workshops(first: {size}) {{ edges {{ cursor node {{ id dashboard(period: "
            f"{{preset: LAST_30_DAYS}}) {{ {leads} }} }} }} }} }}",
            {},
        ),
        (
            f"{{ workshops(first: {size}) {{ nodes {{ id dashboard(period: "
            f"{{preset: LAST_30_DAYS}}) {{ appUsers {{ value }} "
            f"marketingCampaignsSent {{ value recipients }} }} }} }} }}",
            {},
        ),
    ]


def _every_plain_field(types: dict[str, dict[str, Any]]) -> list[Query]:
    """Per root field without required arguments, everything below it (depth 4)."""
    return [
        (f"{{ {name} {_selection(types, sub, 4)} }}", {})
        for name, sub in _plain_fields(types, "Query")
        if sub["kind"] in ("SCALAR", "ENUM") or _selection(types, sub, 4)
    ]


@pytest.fixture
async def both_ways(
    settings: Settings, database_url: str, token: Callable[..., str]
) -> AsyncIterator[Callable[..., Any]]:
    async with AsyncExitStack() as stack:
        both = await serve_both_ways(stack, settings, database_url, "fast_execution")
        yield both.asker(token)


async def _differential(both_ways: Callable[..., Any]) -> int:
    compared = 0
    for role, claims in ROLES:
        (_, raw), _ = await both_ways(_TYPES, {}, role, claims)
        body = httpx.Response(200, content=raw).json()
        types = {t["name"]: t for t in body["data"]["__schema"]["types"]}
        for query, variables in [*_fixed_queries(), *_every_plain_field(types)]:
            fast, standard = await both_ways(query, variables, role, claims)
            assert fast == standard, f"{role}: differs for {query[:200]}"
            compared += 1
    return compared


async def test_activations_data_both_ways(engine, both_ways):
    async with engine.begin() as conn:
        await generate(conn, seed=3, last_day=TODAY - timedelta(days=1))
    await run_processing(engine, today=TODAY)
    assert await _differential(both_ways) > 50


async def test_partner_data_both_ways(engine, both_ways):
    await build_world(engine)
    assert await _differential(both_ways) > 50


async def test_lists_of_dashboards_both_ways(engine, both_ways):
    """Lists of 1 to 40 workshop dashboards, for the importer and for a workshop
    user who sees a scattered subset, answer the same both ways."""
    await test_activations_batching._seed(engine, 40)
    await run_processing(engine, today=TODAY)
    scoped = {"workshops": ["w0002", "w0005", "w0006", "w0017", "w0031", "w0040"]}
    compared = 0
    for role, claims in [("importer", {}), ("workshop", scoped)]:
        for size in (1, 3, 17, 40):
            for n, (query, variables) in enumerate(_list_queries(size, lambda n: f"w{n:04d}")):
                fast, standard = await both_ways(query, variables, role, claims)
                assert fast == standard, f"{role}, {size}: differs for {query[:300]}"
                answer = httpx.Response(200, content=fast[1]).json()
                # the period that ends before it starts: BAD_USER_INPUT; appUsers: importer only
                failing = n == 4 or (n == 7 and role == "workshop")
                assert ("errors" in answer) == failing, answer
                compared += 1
    assert compared == 64


async def test_a_list_of_dashboards_answers_what_its_items_answer(engine, both_ways):
    """Guards the differential test above: a list gives each workshop the very
    dashboard that workshop gives on its own."""
    await test_activations_batching._seed(engine, 12)
    await run_processing(engine, today=TODAY)
    fields = f"dashboard(period: {{preset: LAST_30_DAYS}}) {{ {_PLAIN_DASHBOARD} }}"
    (_, raw), _ = await both_ways(
        f"{{ workshops(first: 12) {{ nodes {{ id {fields} }} }} }}", {}, "importer", {}
    )
    listed = httpx.Response(200, content=raw).json()["data"]["workshops"]["nodes"]
    assert len(listed) == 12
    for node in listed:
        (_, one), _ = await both_ways(
            f'{{ workshop(id: "{node["id"]}") {{ {fields} }} }}', {}, "importer", {}
        )
        assert (
            httpx.Response(200, content=one).json()["data"]["workshop"]["dashboard"]
            == node["dashboard"]
        )
