"""Hostile queries are refused before they cost anything (issue 10, items 3-5),
seen through HTTP: a cost over INSIGHTS_MAX_COST sends no SQL; documents that
would make validation itself slow never reach the expensive rules; a request
past its deadline or with a response over the cap gets a clear error; JSON
nested beyond reason is a 400."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import graphql.validation.rules.overlapping_fields_can_be_merged as overlapping
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event, text
from starlette.applications import Starlette

from bench import queries as bench_queries
from server.app import create_app
from server.auth.principal import Role
from server.config import Settings
from server.schema.build import build_schema
from server.schema.cost import query_cost
from tests.statements import counting

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def serving(
    settings: Settings, database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app


def _auth(token: Callable[..., str], role: str = "importer") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role)}"}


def _code(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


# --- item 3: the static cost limit -------------------------------------------

ATTACK = (
    "{"
    + " ".join(
        f"a{i}: workshops(first: 500) {{ nodes {{ dashboard(period: {{preset: LAST_365_DAYS}}) "
        "{ newActivations { value trend { change } } connectionRate { rate } "
        "activeStaff { value } appUsers { value } } } }"
        for i in range(50)
    )
    + "}"
)


async def test_a_query_over_the_cost_limit_is_refused_before_any_sql(settings, database_url, token):
    async with serving(settings, database_url) as (client, app):
        with counting(app.state.insights.engine) as statements:
            r = await client.post("/graphql", json={"query": ATTACK}, headers=_auth(token))
    body = r.json()
    assert _code(body) == "QUERY_TOO_COMPLEX"
    assert body["data"] is None
    extensions = body["errors"][0]["extensions"]
    assert extensions["maxCost"] == settings.max_cost
    assert extensions["cost"] > settings.max_cost
    assert str(extensions["cost"]) in body["errors"][0]["message"]
    assert statements == []


async def test_the_cost_follows_the_variables(settings, database_url, token):
    """`first: $n` is weighed with the request's n: 500 is refused, 5 runs."""
    query = (
        "query($n: Int!, $p: PeriodInput!) { a: workshops(first: $n) { nodes { "
        "dashboard(period: $p) { newActivations { value series { value } } } } } "
        "b: workshops(first: $n) { nodes { dashboard(period: $p) { appUsers { value } } } } }"
    )
    year = {"preset": "LAST_365_DAYS"}
    low = settings.model_copy(update={"max_cost": 100_000})
    async with serving(low, database_url) as (client, _app):
        big = await client.post(
            "/graphql",
            json={"query": query, "variables": {"n": 500, "p": year}},
            headers=_auth(token),
        )
        small = await client.post(
            "/graphql",
            json={"query": query, "variables": {"n": 5, "p": year}},
            headers=_auth(token),
        )
    assert _code(big.json()) == "QUERY_TOO_COMPLEX"
    assert _code(small.json()) == "NOT_FOUND"  # ran: no importer 'imp' exists


ROLE_LINE = re.compile(r"^# roles?: (.+)$", flags=re.MULTILINE)


def _readme_queries() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```graphql\n(.*?)```", readme, flags=re.DOTALL)


def _roles(query: str) -> list[Role]:
    named = ROLE_LINE.search(query)
    if named is None:
        return [Role.IMPORTER]
    return [Role(r.strip()) for r in named.group(1).split(",")]


def _documented_queries() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, query, variables): the README's, examples/ and the benchmark's."""
    documented = [(f"README #{n}", q, {}) for n, q in enumerate(_readme_queries(), start=1)]
    documented += [
        (f"examples/{path.name}", path.read_text(), {})
        for path in sorted((ROOT / "examples").glob("**/*.graphql"))
    ]
    refs = [f"P{n:03d}" for n in range(1, 51)]
    documented += [
        ("bench activations", bench_queries.ACTIVATIONS_DASHBOARD, bench_queries.last_30_days()),
        ("bench workshop list", bench_queries.WORKSHOP_LIST, {}),
        ("bench 1 partner", bench_queries.partner_dashboards(refs[:1]), {}),
        ("bench 50 partners", bench_queries.partner_dashboards(refs), {}),
        ("bench all partners", bench_queries.ALL_PARTNER_DASHBOARDS, {}),
    ]
    return documented


async def test_documented_and_benchmark_queries_are_accepted(client, token, settings):
    """Each costs less than the default limit for every role it names, and the
    server runs the importer's (tests/test_readme_examples.py runs every role's
    over sample data)."""
    defaults = Settings(jwt_secret="x" * 40, _env_file=None)  # type: ignore[call-arg]
    assert settings.max_cost == defaults.max_cost
    assert len(_readme_queries()) >= 3
    for name, query, variables in _documented_queries():
        for role in _roles(query):
            cost = query_cost(build_schema(role, defaults), query, variables)
            assert 0 < cost <= defaults.max_cost, (name, role, cost)
        if Role.IMPORTER not in _roles(query):
            continue
        r = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=_auth(token)
        )
        codes = {e["extensions"]["code"] for e in r.json().get("errors", [])}
        assert codes <= {"NOT_FOUND"}, (name, r.json())  # no importer 'imp': nothing to show


# --- item 3: the request deadline and the response cap -------------------------


@contextmanager
def statements_replaced_by(engine: Any, sql: str) -> Iterator[None]:
    """Test-only hook: every statement the app sends becomes ``sql``."""

    def replace(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> Any:
        return sql, ()

    event.listen(engine.sync_engine, "before_cursor_execute", replace, retval=True)
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", replace)


async def test_a_statement_past_the_statement_timeout_answers_timeout(
    settings, database_url, token
):
    quick = settings.model_copy(update={"statement_timeout_ms": 50, "request_timeout_s": 600})
    async with serving(quick, database_url) as (client, app):
        engine = app.state.insights.engine
        with statements_replaced_by(engine, "SELECT pg_sleep(10)"):
            r = await client.post(
                "/graphql", json={"query": "{ importer { id } }"}, headers=_auth(token)
            )
        # Outside a request (processing, ingestion) the server default applies again,
        # on the very connection the request used (the only one in the pool).
        assert engine.sync_engine.pool.checkedin() == 1
        async with engine.connect() as conn:
            outside = (await conn.execute(text("SHOW statement_timeout"))).scalar_one()
    assert r.status_code == 504
    assert _code(r.json()) == "TIMEOUT"
    assert outside == "0"


async def test_a_request_past_its_deadline_answers_timeout(settings, database_url, token):
    # The statement would be stopped at 2 s; the request's deadline passes long before.
    short = settings.model_copy(update={"request_timeout_s": 0.05, "statement_timeout_ms": 2000})
    async with serving(short, database_url) as (client, app):
        with statements_replaced_by(app.state.insights.engine, "SELECT pg_sleep(10)"):
            r = await client.post(
                "/graphql", json={"query": "{ importer { id } }"}, headers=_auth(token)
            )
            assert r.status_code == 504
            assert _code(r.json()) == "TIMEOUT"
            assert "0.05 s" in r.json()["errors"][0]["message"]


async def test_a_response_over_the_cap_is_refused(settings, database_url, token):
    query = "{ metricCatalog { key title description } }"  # no SQL, ~10 KB
    async with serving(settings, database_url) as (client, _app):
        fits = await client.post("/graphql", json={"query": query}, headers=_auth(token))
    capped = settings.model_copy(update={"max_response_bytes": 2000})
    async with serving(capped, database_url) as (client, _app):
        r = await client.post("/graphql", json={"query": query}, headers=_auth(token))
    assert "errors" not in fits.json() and len(fits.content) > 2000
    body = r.json()
    assert _code(body) == "RESPONSE_TOO_LARGE"
    assert body["data"] is None
    assert len(r.content) <= 2000


# --- item 4: documents that would make validation slow ---------------------------


@pytest.fixture
def overlap_rule_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times graphql-core's OverlappingFieldsCanBeMerged rule was set up."""
    runs: list[int] = []
    rule = overlapping.OverlappingFieldsCanBeMergedRule
    original = rule.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        runs.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(rule, "__init__", counted)
    return runs


def _doubling_fragments(levels: int) -> str:
    fragments = [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return " ".join(
        [f"query {{ ...F{levels - 1} }}", "fragment F0 on Query { me { sub } }", *fragments]
    )


HOSTILE_DOCUMENTS = {
    "fragments doubling 21 times": _doubling_fragments(22),
    "1,600 conflicting aliases": "{ "
    + " ".join("a: me { sub }" if i % 2 else "a: importer { id }" for i in range(1600))
    + " }",
    "1,600 fields of one name": "{ " + "me { sub } " * 1600 + "}",
}


@pytest.mark.parametrize("query", HOSTILE_DOCUMENTS.values(), ids=HOSTILE_DOCUMENTS.keys())
async def test_documents_that_make_validation_slow_are_refused_before_it(
    client, token, overlap_rule_runs, query
):
    r = await client.post("/graphql", json={"query": query}, headers=_auth(token))
    body = r.json()
    assert _code(body) == "QUERY_TOO_COMPLEX", body
    assert body["data"] is None
    assert overlap_rule_runs == []
    # The same endpoint validates an ordinary document with the rule.
    r = await client.post(
        "/graphql", json={"query": "query Ordinary { me { sub role } }"}, headers=_auth(token)
    )
    assert r.json() == {"data": {"me": {"sub": "dev-importer", "role": "importer"}}}
    assert overlap_rule_runs


# --- item 5: JSON nested beyond reason ---------------------------------------------

DEEP = "[" * 50_000 + "]" * 50_000


async def test_variables_nested_50k_deep_are_a_400(client, token):
    body = '{"query": "query($v: JSON) { me { sub } }", "variables": {"v": ' + DEEP + "}}"
    r = await client.post(
        "/graphql",
        content=body.encode(),
        headers={**_auth(token), "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert _code(r.json()) == "BAD_REQUEST"
    assert "deeper than" in r.json()["errors"][0]["message"]


async def test_variables_nested_deep_in_a_get_are_a_400(client, token):
    deep = "[" * 5_000 + "]" * 5_000  # what fits in a URL; Python's json gives up at ~1,000
    r = await client.get(
        "/graphql",
        params={"query": "query($v: JSON) { me { sub } }", "variables": '{"v": ' + deep + "}"},
        headers=_auth(token),
    )
    assert r.status_code == 400
    assert _code(r.json()) == "BAD_REQUEST"
