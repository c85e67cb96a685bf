"""Formulas over summed rollup components."""

from __future__ import annotations

import pytest

from server.metrics.formulas import Distinct, Mean, NotAdditive, Ratio, Sum


def test_sum():
    formula = Sum("won", "lost")
    assert formula.components == ("won", "lost")
    assert formula.evaluate({"won": 2, "lost": 3, "other": 100}) == 5.0
    assert formula.evaluate({"won": 0, "lost": 0}) == 0.0
    assert Sum("won") == Sum("won")
    assert Sum("won") != Sum("lost")


def test_ratio_components_drop_repeats():
    pick_rate = Ratio(("accepted",), ("accepted", "declined", "expired"))
    assert pick_rate.components == ("accepted", "declined", "expired")
    assert pick_rate.evaluate({"accepted": 3, "declined": 1, "expired": 2}) == 0.5


def test_ratio_over_zero_is_none():
    pick_rate = Ratio(("accepted",), ("accepted", "declined", "expired"))
    assert pick_rate.evaluate({"accepted": 0, "declined": 0, "expired": 0}) is None
    assert Ratio(("connected",), ("eligible",)).evaluate({"connected": 0, "eligible": 4}) == 0.0


def test_ratio_needs_a_denominator():
    with pytest.raises(ValueError, match="at least one denominator"):
        Ratio(("won",), ())


def test_mean():
    formula = Mean("chat_response_seconds", "chat_responses")
    assert formula.components == ("chat_response_seconds", "chat_responses")
    assert formula.evaluate({"chat_response_seconds": 300.0, "chat_responses": 4}) == 75.0


def test_mean_over_no_items_is_none_not_zero():
    formula = Mean("accept_seconds", "accepted")
    assert formula.evaluate({"accept_seconds": 0.0, "accepted": 0}) is None


def test_distinct_cannot_be_summed():
    formula = Distinct("staff")
    assert formula.components == ()
    with pytest.raises(NotAdditive, match=r"Distinct\('staff'\) cannot be evaluated"):
        formula.evaluate({})


def test_missing_component_is_a_bug_not_a_zero():
    with pytest.raises(KeyError):
        Sum("won").evaluate({"lost": 1})
