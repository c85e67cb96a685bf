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
from asgi_lifespan import LifespanManager

from bench import queries as bench
from server.app import create_app
from server.config import Settings
from server.processing.job import run_processing
from tests import test_activations_batching, test_activations_dashboard, test_partner_dashboard
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
        ("{ __typename me { __typename role } metricCatalog { key title unit } }", {}),
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
        clients = []
        for fast in (True, False):
            app = create_app(
                settings.model_copy(update={"fast_execution": fast}),
                database_url=database_url,
                migrate=False,
            )
            manager = await stack.enter_async_context(LifespanManager(app))
            transport = httpx.ASGITransport(app=manager.app)
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://t")
                )
            )

        async def ask(query: str, variables: dict[str, Any], role: str, claims: dict) -> list:
            headers = {"Authorization": f"Bearer {token(role, **claims)}"}
            answers = []
            for http in clients:
                r = await http.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                answers.append((r.status_code, r.content))
            return answers

        yield ask


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
