"""Every catalog metric answers the same asked for alone as within the whole
dashboard, for both dashboards and every role that sees it.

What a dashboard loads derives from the catalog and the selection; a metric
left out of a hand list of keys would load nothing when asked for alone and
answer 0 (while the full dashboard, which loads its family for another metric,
looks right). The queries are built from each role's own schema (introspection
over HTTP), so a new metric or card is covered without editing this test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from server.metrics.catalog import visible_metrics
from server.metrics.definition import DashboardKind
from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.generated import generate
from tests.test_partner_dashboard import P, build_world

_TYPES = """{ __schema { types { name kind fields {
  name args { name defaultValue type { kind } }
  type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"""

Types = dict[str, dict[str, Any]]


def _named(type_: dict[str, Any]) -> dict[str, Any]:
    while type_.get("ofType"):
        type_ = type_["ofType"]
    return type_


def _plain_fields(types: Types, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The fields callable without arguments (every argument has a default)."""
    for field in types[name]["fields"] or []:
        required = [
            a
            for a in field["args"]
            if a["type"]["kind"] == "NON_NULL" and a["defaultValue"] is None
        ]
        if not required:
            yield field["name"], _named(field["type"])


def _selection(types: Types, named: dict[str, Any], depth: int = 3) -> str:
    """Every plain leaf below a type (to ``depth`` levels), as a selection set."""
    if named["kind"] in ("SCALAR", "ENUM"):
        return ""
    parts = []
    for name, sub in _plain_fields(types, named["name"]):
        if sub["kind"] in ("SCALAR", "ENUM"):
            parts.append(name)
        elif sub["kind"] == "OBJECT" and depth > 0:
            inner = _selection(types, sub, depth - 1)
            if inner:
                parts.append(f"{name} {inner}")
    return "{ " + " ".join(parts) + " }" if parts else ""


def _metric_paths(types: Types, dashboard_type: str, keys: set[str]) -> dict[str, list[str]]:
    """Where each catalog key is shown below the dashboard (the shortest path)."""
    paths: dict[str, list[str]] = {}
    level: list[tuple[list[str], str]] = [([], dashboard_type)]
    for _ in range(3):
        below: list[tuple[list[str], str]] = []
        for path, type_name in level:
            for name, sub in _plain_fields(types, type_name):
                if name in keys and name not in paths:
                    paths[name] = [*path, name]
                if sub["kind"] == "OBJECT":
                    below.append(([*path, name], sub["name"]))
        level = below
    return paths


def _nest(types: Types, dashboard_type: str, path: list[str]) -> str:
    """The selection under the dashboard that reaches ``path`` and all below it."""
    type_name, named = dashboard_type, {}
    for name in path:
        named = dict(_plain_fields(types, type_name))[name]
        type_name = named.get("name") or ""
    text = f"{path[-1]} {_selection(types, named)}"
    for name in reversed(path[:-1]):
        text = f"{name} {{ {text} }}"
    return text


def _at(body: dict[str, Any], path: list[str]) -> Any:
    for name in path:
        body = body[name]
    return body


async def _check_every_metric(
    gql: Callable[..., Any],
    *,
    dashboard: DashboardKind,
    dashboard_type: str,
    wrap: Callable[[str], str],
    unwrap: Callable[[dict[str, Any]], dict[str, Any]],
    variables: dict[str, Any],
    role: str,
    claims: dict[str, Any],
) -> None:
    introspection = await gql(_TYPES, role=role, **claims)
    types = {t["name"]: t for t in introspection["data"]["__schema"]["types"]}
    keys = {
        m.key
        for m in visible_metrics(importer_only_allowed=role == "importer", dashboards={dashboard})
    }
    paths = _metric_paths(types, dashboard_type, keys)
    assert set(paths) == keys, f"{role}: not in the schema: {keys - set(paths)}"
    parts = {key: _nest(types, dashboard_type, path) for key, path in paths.items()}

    async def ask(selection: str) -> dict[str, Any]:
        body = await gql(wrap(selection), variables, role=role, **claims)
        assert "errors" not in body, body
        return unwrap(body["data"])

    full = await ask(" ".join(parts.values()))
    for key, path in sorted(paths.items()):
        alone = await ask(parts[key])
        assert _at(alone, path) == _at(full, path), f"{role}: {key} alone differs"


@pytest.mark.parametrize(
    ("role", "claims"),
    [("importer", {}), ("workshop", {"workshops": ["w1", "w3"]})],
)
async def test_activations_metric_alone_equals_full_dashboard(gql, engine, role, claims):
    async with engine.begin() as conn:
        await generate(conn, seed=5, last_day=TODAY - timedelta(days=1))
    await run_processing(engine, today=TODAY)
    await _check_every_metric(
        gql,
        dashboard=DashboardKind.ACTIVATIONS,
        dashboard_type="ActivationsDashboard",
        wrap=lambda s: (
            "query($period: PeriodInput!) { activationsDashboard(period: $period) { " + s + " } }"
        ),
        unwrap=lambda data: data["activationsDashboard"],
        variables={"period": {"preset": "LAST_30_DAYS"}},
        role=role,
        claims=claims,
    )


@pytest.mark.parametrize(
    ("role", "claims"),
    [("importer", {}), ("partner_manager", {}), ("sales_partner", {"partner": P})],
)
async def test_partner_metric_alone_equals_full_dashboard(gql, engine, role, claims):
    await build_world(engine)
    await _check_every_metric(
        gql,
        dashboard=DashboardKind.PARTNER,
        dashboard_type="PartnerDashboard",
        wrap=lambda s: (
            "query($id: ID!, $filter: PartnerFilterInput!) { salesPartner(id: $id) {"
            " dashboard(filter: $filter) { " + s + " } } }"
        ),
        unwrap=lambda data: data["salesPartner"]["dashboard"],
        variables={"id": P, "filter": {"period": {"preset": "CURRENT_MONTH"}}},
        role=role,
        claims=claims,
    )
