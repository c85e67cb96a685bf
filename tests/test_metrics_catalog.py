"""The metric catalog: its content against METRICS.md / API.md, and its checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from server.metrics.catalog import CATALOG, metric, validate_catalog, visible_metrics
from server.metrics.definition import DashboardKind, Judgement, MetricDef
from server.metrics.formulas import Distinct, Mean, Ratio, Sum
from server.metrics.validation import (
    LOWER_IS_BETTER,
    NOT_JUDGED,
    CatalogError,
    catalog_problems,
)
from server.models.rollups import PartnerCohortDay, PartnerOfferDay, WorkshopDay

ROOT = Path(__file__).resolve().parent.parent
A, P = DashboardKind.ACTIVATIONS, DashboardKind.PARTNER

# METRICS.md, copied by hand: "Higher is better for every metric except these".
SPEC_LOWER_IS_BETTER = {
    "chatFirstResponseTime",
    "declined",
    "expired",
    "timeToAccept",
    "timeToDecline",
    "timeToFirstFeedback",
    "silentLeads",
    "lost",
    "timeToFirstContact",
    "salesCycle",
    "outflow",
}

# The metric fields of API.md's dashboard types.
ACTIVATIONS_KEYS = [
    "newActivations",
    "connectionRate",
    "throughput",
    "eligible",
    "connected",
    "leadsCreated",
    "chatConversations",
    "chatMessages",
    "chatFirstResponseTime",
    "activeStaff",
    "appUsers",
    "marketingCampaignsSent",
    "workshopActivity",
]
PARTNER_KEYS = [
    "openLeads",
    "overdueLeads",
    "totalLeadsReceived",
    "partnerSince",
    "offersReceived",
    "accepted",
    "declined",
    "expired",
    "pickRate",
    "timeToAccept",
    "timeToDecline",
    "feedbackRate",
    "timeToFirstFeedback",
    "silentLeads",
    "won",
    "lost",
    "conversionRate",
    "timeToFirstContact",
    "salesCycle",
    "outflow",
    "leadRating",
    "customerRating",
]


def test_catalog_is_valid():
    assert catalog_problems(CATALOG) == []
    validate_catalog()


def test_catalog_keys_in_order():
    assert [entry.key for entry in CATALOG] == ACTIVATIONS_KEYS + PARTNER_KEYS
    assert {entry.key for entry in CATALOG if entry.dashboard is A} == set(ACTIVATIONS_KEYS)


# Corrections to METRICS.md's list (issue 13): more overdue leads is worse.
CORRECTED_LOWER_IS_BETTER = SPEC_LOWER_IS_BETTER | {"overdueLeads"}


def test_lower_is_better_matches_the_spec_exactly():
    flagged = {entry.key for entry in CATALOG if entry.higher_is_better is False}
    assert flagged == CORRECTED_LOWER_IS_BETTER
    assert LOWER_IS_BETTER == CORRECTED_LOWER_IS_BETTER


def test_facts_that_are_not_judged_say_so():
    neutral = {entry.key for entry in CATALOG if entry.judgement is Judgement.NEUTRAL}
    assert neutral == NOT_JUDGED == {"openLeads", "totalLeadsReceived", "partnerSince"}
    assert all(entry.higher_is_better is None for entry in CATALOG if entry.key in neutral)
    assert metric("overdueLeads").judgement is Judgement.LOWER_IS_BETTER


def _spec_file() -> Path | None:
    for candidate in (
        ROOT / "docs" / "METRICS.md",
        ROOT / "docs" / "spec" / "METRICS.md",
        ROOT.parent / "shared" / "spec" / "METRICS.md",
    ):
        if candidate.is_file():
            return candidate
    return None


@pytest.mark.skipif(_spec_file() is None, reason="METRICS.md is not next to the code")
def test_lower_is_better_matches_the_spec_text():
    text = _spec_file().read_text()  # type: ignore[union-attr]
    found = re.search(r"where lower is better:\s*(.+?)\.\s", text, re.DOTALL)
    assert found is not None
    listed = {name.strip() for name in found.group(1).split(",")}
    assert listed == SPEC_LOWER_IS_BETTER
    flagged = {entry.key for entry in CATALOG if entry.higher_is_better is False}
    assert flagged == listed | (CORRECTED_LOWER_IS_BETTER - SPEC_LOWER_IS_BETTER)


def test_importer_only_entries():
    assert [entry.key for entry in CATALOG if entry.importer_only] == [
        "appUsers",
        "marketingCampaignsSent",
        "workshopActivity",
    ]


def test_formulas_and_units():
    assert metric("connectionRate").formula == Ratio(("connected",), ("eligible",))
    assert metric("pickRate").formula == Ratio(("accepted",), ("accepted", "declined", "expired"))
    assert metric("conversionRate").formula == Ratio(("won",), ("won", "lost"))
    assert metric("feedbackRate").formula == Ratio(("with_feedback",), ("cohort",))
    assert metric("chatFirstResponseTime").formula == Mean(
        "chat_response_seconds", "chat_responses"
    )
    assert metric("salesCycle").formula == Mean("cycle_seconds", "closed")
    assert metric("customerRating").formula == Mean("customer_rating_sum", "customer_ratings")
    assert metric("activeStaff").formula == Distinct("staff")
    assert metric("appUsers").formula == Distinct("app")
    assert metric("marketingCampaignsSent").formula == Sum("campaigns")
    assert metric("outflow").formula == Sum("outflow")
    assert metric("partnerSince").unit == "date"
    assert metric("leadRating").unit == "rating"
    assert metric("timeToAccept").unit == "seconds"
    assert {e.key for e in CATALOG if e.formula is None} == {
        "workshopActivity",
        "silentLeads",
        "openLeads",
        "overdueLeads",
        "totalLeadsReceived",
        "partnerSince",
    }


def _columns(*tables: type[SQLModel]) -> set[str]:
    return {column.name for table in tables for column in table.__table__.columns}  # type: ignore[attr-defined]


def test_components_are_rollup_columns():
    workshop = _columns(WorkshopDay)
    # Outflow is summed from partner_outflow_day.leads, read as "outflow".
    partner = _columns(PartnerOfferDay, PartnerCohortDay) | {"outflow"}
    for entry in CATALOG:
        if entry.formula is None:
            continue
        columns = workshop if entry.dashboard is A else partner
        assert set(entry.formula.components) <= columns, entry.key


def test_descriptions_are_one_to_three_sentences():
    for entry in CATALOG:
        sentences = re.findall(r"[.!?](?:\s|$)", entry.description)
        assert 1 <= len(sentences) <= 3, entry.key
        assert entry.title[0].isupper(), entry.key


def test_metric_lookup():
    assert metric("won").title == "Won"
    with pytest.raises(KeyError, match="unknown metric 'nope'; known: newActivations, "):
        metric("nope")


def test_visible_metrics_for_a_workshop_user():
    keys = [e.key for e in visible_metrics(importer_only_allowed=False, dashboards={A})]
    assert keys == [
        "newActivations",
        "connectionRate",
        "throughput",
        "eligible",
        "connected",
        "leadsCreated",
        "chatConversations",
        "chatMessages",
        "chatFirstResponseTime",
        "activeStaff",
    ]


def test_visible_metrics_for_importer_and_partner_roles():
    assert visible_metrics(importer_only_allowed=True, dashboards={A, P}) == list(CATALOG)
    partner = visible_metrics(importer_only_allowed=False, dashboards={P})
    assert [e.key for e in partner] == PARTNER_KEYS
    assert visible_metrics(importer_only_allowed=True, dashboards=set()) == []


def _entry(key: str, **changes: object) -> MetricDef:
    fields: dict[str, object] = {
        "key": key,
        "title": "T",
        "description": "D.",
        "unit": "count",
        "dashboard": A,
        "formula": Sum("x"),
    }
    fields.update(changes)
    return MetricDef(**fields)  # type: ignore[arg-type]


def test_validation_collects_every_problem():
    good = [e for e in CATALOG if e.key not in {"declined", "outflow"}]
    bad = [
        *good,
        _entry("newActivations"),
        _entry("badUnit", unit="percent"),
        _entry("Bad key", description=""),
        _entry("meanCount", formula=Mean("s", "n")),
        _entry("declined", higher_is_better=True, dashboard=P),
        _entry("cheap", higher_is_better=False),
        _entry("part", part_of="missing"),
        _entry("crossPart", part_of="pickRate"),
        _entry("sloppy", title=" ", description="no full stop"),
    ]
    assert [str(problem) for problem in catalog_problems(bad)] == [
        "badUnit: unknown unit 'percent'; use one of count, date, rate, rating, seconds",
        "Bad key: the key must be camelCase (letters and digits)",
        "Bad key: the description is empty",
        "meanCount: a Mean formula gives unit rating or seconds, not 'count'",
        "sloppy: the title is empty",
        "sloppy: the description must be full sentences ending in '.'",
        "newActivations: the key is defined 2 times; keys must be unique",
        "part: part_of names no entry: 'missing'",
        "crossPart: part_of 'pickRate' is on another dashboard",
        "outflow: METRICS.md lists it as lower-is-better, but the catalog lacks it",
        "declined: METRICS.md says lower is better; set higher_is_better=False",
        "cheap: higher_is_better=False, but METRICS.md does not list it as lower-is-better",
    ]
    with pytest.raises(CatalogError) as raised:
        validate_catalog(bad)
    assert len(raised.value.problems) == 12
    assert str(raised.value).startswith("the metric catalog has 12 problem(s):\n  - badUnit: ")
