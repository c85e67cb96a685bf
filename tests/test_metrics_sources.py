"""The loading rules derive from the catalog: a formula-less metric nothing
computes, or a formula column no family loads, is named at start-up."""

from server.metrics import sources
from server.metrics.definition import DashboardKind


def test_a_formula_less_metric_nothing_computes_is_named() -> None:
    problems = sources.unclaimed(DashboardKind.ACTIVATIONS, {}, [("new_activations",)])
    assert "workshopActivity: no formula and nothing computes it" in problems
    assert any(p.startswith("chat_messages:") for p in problems)


def test_distinct_metrics_need_their_kind_and_no_column() -> None:
    assert sources.distinct_kinds_of({"activeStaff", "leadsCreated"}) == {"staff"}
    assert sources.columns_of({"activeStaff"}) == frozenset()
    assert sources.columns_of({"connectionRate"}) == {"connected", "eligible"}
