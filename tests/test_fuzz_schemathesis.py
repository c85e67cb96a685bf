"""schemathesis in GraphQL mode against the app, for every role's schema: any
query or mutation the schema allows, with any arguments its types allow
(custom scalars included), must answer without INTERNAL and without HTTP 500.

Each operation of each role gets ``INSIGHTS_FUZZ_EXAMPLES`` generated cases
(default 8: the whole file stays within about a minute in ``make test``);
generation is derandomised, so a run is repeatable. The long fuzz is the same
test with more examples, e.g. ``INSIGHTS_FUZZ_EXAMPLES=500 pytest
tests/test_fuzz_schemathesis.py``. Failures are collected, not raised at the
first, so one run shows every kind of INTERNAL it found.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Any

import asyncpg
import graphql
import httpx
import pytest
import schemathesis
from anyio.from_thread import start_blocking_portal
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from server.app import create_app
from server.auth.principal import Role
from server.db import make_engine
from server.schema.build import build_schemas
from tests.conftest import TEMPLATE, _with_database
from tests.test_partner_dashboard import P, build_world

EXAMPLES = int(os.environ.get("INSIGHTS_FUZZ_EXAMPLES", "8"))

CLAIMS: dict[Role, dict[str, Any]] = {
    Role.IMPORTER: {},
    Role.WORKSHOP: {"workshops": ["w-north"]},
    Role.PARTNER_MANAGER: {},
    Role.SALES_PARTNER: {"partner": P},
    Role.INTEGRATION: {},
}


def _object(fields: dict[str, graphql.ValueNode]) -> graphql.ValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
            for k, v in fields.items()
        ]
    )


_JSON_LEAF = st.one_of(
    st.just(graphql.NullValueNode()),
    st.booleans().map(nodes.Boolean),
    st.integers(min_value=-(2**53), max_value=2**53).map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    st.text(max_size=40).map(nodes.String),
)
JSON_VALUES = st.recursive(
    _JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(nodes.List),
        st.dictionaries(
            st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,12}", fullmatch=True), inner, max_size=4
        ).map(_object),
    ),
    max_leaves=12,
)
"""Any JSON value, as GraphQL literals (the saved-filters scalar)."""

_NO_NUL = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=40)
WITHOUT_NUL = {
    "String": _NO_NUL.map(nodes.String),
    "ID": st.one_of(_NO_NUL.map(nodes.String), st.integers().map(nodes.Int)),
}
"""Strings and ids as generated, less the NUL character (a known bug class below)."""

DATES = st.one_of(
    st.dates().map(lambda d: nodes.String(d.isoformat())),  # any date, 0001..9999
    st.text(max_size=12).map(nodes.String),  # and anything that is not one
)


@pytest.fixture(scope="module")
def fuzz_url(server_url: str, template_url: str) -> Iterator[str]:
    """A database of its own with the partner dashboard's hand-built world."""
    name = f"t_fuzz_{os.getpid()}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_with_database(server_url, "postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def seed(url: str) -> None:
        engine = make_engine(url, pool_size=1)
        try:
            await build_world(engine)
        finally:
            await engine.dispose()

    asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    asyncio.run(admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    url = _with_database(server_url, name)
    asyncio.run(seed(url))
    yield url
    asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _problem(response: Any) -> str | None:
    """Why an answer breaks the contract, or None."""
    if response.status_code >= 500 and response.status_code != 503:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code} without a JSON body"
    codes = [
        (e.get("extensions") or {}).get("code")
        for e in (body.get("errors") or [])
        if isinstance(e, dict)
    ]
    if "INTERNAL" in codes or None in codes:
        return f"codes {codes}"
    return None


@pytest.fixture
def scalars(request):
    """Register the custom scalars' strategies (and, narrowed, String and ID's)
    for one test; schemathesis keeps them in a process-wide registry."""
    registry = schemathesis.specs.graphql.scalars.CUSTOM_SCALARS
    saved = dict(registry)
    schemathesis.graphql.scalar("JSON", JSON_VALUES)
    schemathesis.graphql.scalar("Date", DATES)
    if request.param == "without_nul":
        for name, strategy in WITHOUT_NUL.items():
            schemathesis.graphql.scalar(name, strategy)
    yield request.param
    registry.clear()
    registry.update(saved)


@pytest.mark.parametrize(
    ("role", "scalars"),
    [
        pytest.param(
            role,
            strings,
            id=f"{role}-{strings}",
        )
        for strings in ("any", "without_nul")
        for role in Role
    ],
    indirect=["scalars"],
)
def test_no_generated_request_is_internal(role: Role, scalars, fuzz_url, settings, token):
    schema = build_schemas(settings)[role]
    loaded = schemathesis.graphql.from_dict(schema.introspect())
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert operations
    auth = {"Authorization": f"Bearer {token(str(role), **CLAIMS[role])}"}
    failures: list[str] = []
    sent = 0
    app = create_app(settings, database_url=fuzz_url, migrate=False)
    # Hypothesis drives plain functions; the app runs on one event loop in a
    # portal thread for the whole test, as it would under a server.
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(_served(app)) as client,
    ):

        def post(query: str) -> httpx.Response:
            return portal.call(
                partial(client.post, "/graphql", json={"query": query}, headers=auth)
            )

        for operation in operations:
            sent += _fuzz(operation, post, failures)
    assert sent >= len(operations)
    assert failures == [], f"{len(failures)} of {sent} cases failed:\n\n" + "\n\n".join(
        failures[:10]
    )


@contextlib.asynccontextmanager
async def _served(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def _fuzz(operation: Any, post: Callable[[str], httpx.Response], failures: list[str]) -> int:
    """Send EXAMPLES generated cases of one operation; append what breaks the contract."""
    sent = 0

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        response = post(case.body)
        problem = _problem(response)
        if problem:
            failures.append(f"{operation.label}: {problem}\n{case.body}\n{response.text[:500]}")

    run()
    return sent
