"""The static cost estimate (server/schema/cost.py), on the importer's schema:
lists multiply by `first` (the schema's default and cap), dashboards weigh by the
catalog's metric families and the days they read, fragments cost what they
would inlined."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.auth.principal import Role
from server.config import load_settings
from server.metrics.catalog import CATALOG, metric
from server.schema.build import build_schema
from server.schema.connection import DEFAULT_PAGE, MAX_PAGE
from server.schema.cost import metric_family, query_cost
from tests.conftest import TEST_SECRET


@pytest.fixture(scope="module")
def cost():
    from server.config import Settings

    schema = build_schema(Role.IMPORTER, Settings(jwt_secret=TEST_SECRET, _env_file=None))

    def of(query: str, variables: dict[str, object] | None = None) -> int:
        return query_cost(schema, query, variables)

    return of


def _workshops(first: str) -> str:
    return f"{{ workshops{first} {{ totalCount nodes {{ id name }} }} }}"


def test_a_list_multiplies_what_is_under_it_by_first(cost):
    # workshops + totalCount + nodes, and per item: id, name
    assert cost(_workshops("(first: 10)")) == 3 + 10 * 2
    assert cost(_workshops("")) == 3 + 50 * 2  # the schema's default
    assert cost(_workshops("(first: 100000)")) == 3 + MAX_PAGE * 2  # the cap
    assert cost("query($n: Int!) " + _workshops("(first: $n)"), {"n": 7}) == 3 + 7 * 2
    assert cost("query($n: Int = 4) " + _workshops("(first: $n)")) == 3 + 4 * 2


def test_a_list_without_first_counts_as_a_default_page(cost):
    assert cost("{ salesPartners { nodes { id } } }") == 2 + DEFAULT_PAGE


def _dashboard(period: str, metrics: str) -> str:
    return f"{{ activationsDashboard(period: {period}) {{ {metrics} }} }}"


def test_a_dashboard_weighs_by_families_and_days(cost):
    week = "{preset: LAST_7_DAYS}"
    one = cost(_dashboard(week, "newActivations { value }"))
    # 3 fields, and one family over 7 days and the 7 before
    assert one == 3 + 1 * 2 * 7
    # leadsCreated reads the same rollup: only its fields are added
    same = cost(_dashboard(week, "newActivations { value } leadsCreated { value }"))
    assert same == one + 2
    # appUsers is a distinct count: a family of its own
    other = cost(_dashboard(week, "newActivations { value } appUsers { value }"))
    assert other == one + 2 + 2 * 7
    year = cost(_dashboard("{preset: LAST_365_DAYS}", "newActivations { value }"))
    assert year == 3 + 2 * 365
    custom = cost(_dashboard('{from: "2026-01-01", to: "2026-01-10"}', "newActivations { value }"))
    assert custom == 3 + 2 * 10


def test_a_series_multiplies_by_its_buckets(cost):
    month = "{preset: LAST_30_DAYS}"
    days = cost(_dashboard(month, "newActivations { series { value } }"))
    weeks = cost(_dashboard(month, "newActivations { series(granularity: WEEK) { value } }"))
    assert days == 3 + 30 + 2 * 30
    assert weeks < days


def test_fragments_cost_what_they_would_inlined(cost):
    inlined = "{ workshops(first: 20) { nodes { id dashboard(period: {preset: LAST_7_DAYS}) { appUsers { value } } } } }"
    spread = (
        "{ workshops(first: 20) { nodes { ...W } } } "
        "fragment W on Workshop { id dashboard(period: {preset: LAST_7_DAYS}) { ...D } } "
        "fragment D on ActivationsDashboard { appUsers { value } }"
    )
    assert cost(spread) == cost(inlined)


def test_every_metric_has_a_family_from_the_catalog():
    families = {entry.key: metric_family(entry) for entry in CATALOG}
    assert families["newActivations"] == families["connectionRate"] == "workshop_day"
    assert families["pickRate"] == "partner_offer_day"
    assert families["won"] == "partner_cohort_day"
    assert families["activeStaff"] == "distinct:staff"
    assert metric_family(metric("workshopActivity")) == "workshopActivity"


def test_the_limit_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("INSIGHTS_MAX_COST", "1234")
    monkeypatch.setenv("INSIGHTS_REQUEST_TIMEOUT_S", "2.5")
    settings = load_settings()
    assert (settings.max_cost, settings.request_timeout_s) == (1234, 2.5)


def test_the_readme_quotes_its_queries_costs(cost):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    quoted = re.search(
        r"The first three example queries above cost\s+([\d,]+), ([\d,]+) and ([\d,]+),", readme
    )
    assert quoted, "the README's sentence quoting the example queries' costs is missing"
    blocks = re.findall(r"```graphql\n(.*?)```", readme, flags=re.DOTALL)
    computed = [cost(block) for block in blocks[:3]]
    assert [int(n.replace(",", "")) for n in quoted.groups()] == computed
