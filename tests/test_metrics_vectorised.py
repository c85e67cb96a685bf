"""Formulas and trends over many scopes at once (server/metrics/vectorised.py)
give, scope by scope, exactly what ``Formula.evaluate`` and ``trend`` give:
the same floats bit for bit, the same None, the same direction."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from server.metrics import catalog
from server.metrics.formulas import Distinct, Mean, Ratio, Sum
from server.metrics.trends import trend
from server.metrics.vectorised import Values, evaluate, trends

_COUNT = st.integers(min_value=0, max_value=2**40)
_SMALL = st.sampled_from([0, 1, 2, 3, 7, 10, 1000])
_FLOAT = st.one_of(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from([0.0, 1e-10, -1e-10, 0.1 + 0.2, 0.3, 1 / 3]),
)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b and math.copysign(1, a) == math.copysign(1, b)


@given(
    st.lists(
        st.tuples(st.one_of(_FLOAT, st.none()), st.one_of(_FLOAT, st.none())),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([True, False, None]),
)
def test_trends_equal_trend_per_scope(pairs: list[tuple[Any, Any]], judged: bool | None) -> None:
    def values(picked: list[float | None]) -> Values:
        missing = np.array([v is None for v in picked])
        return Values(np.array([0.0 if v is None else v for v in picked]), missing)

    found = trends(
        values([now for now, _ in pairs]),
        values([before for _, before in pairs]),
        higher_is_better=judged,
    )
    for i, (now, before) in enumerate(pairs):
        expected = trend(now, before, higher_is_better=judged)
        assert _same(found.previous[i], expected.previous)
        assert _same(found.change[i], expected.change)
        assert _same(found.change_percent[i], expected.change_percent)
        assert found.direction[i] is expected.direction
        assert found.favorable[i] is expected.favorable


def _columns(draw: Any, names: set[str], size: int) -> dict[str, np.ndarray]:
    """Per component: exact integer sums (int64) or float sums (float64)."""
    found = {}
    for name in sorted(names):
        if draw(st.booleans()):
            found[name] = np.array(draw(st.lists(_SMALL | _COUNT, min_size=size, max_size=size)))
        else:
            floats = st.floats(min_value=0, max_value=1e9, allow_nan=False) | st.just(0.0)
            found[name] = np.array(draw(st.lists(floats, min_size=size, max_size=size)))
    return found


@st.composite
def _cases(draw: Any) -> tuple[Any, dict[str, np.ndarray], int]:
    formulas = [m.formula for m in catalog.CATALOG if m.formula is not None]
    formula = draw(st.sampled_from([f for f in formulas if not isinstance(f, Distinct)]))
    size = draw(st.integers(min_value=1, max_value=12))
    return formula, _columns(draw, set(formula.components), size), size


@given(_cases())
def test_evaluate_equals_formula_per_scope(case: tuple[Any, dict[str, np.ndarray], int]) -> None:
    formula, columns, size = case
    found = evaluate(formula, columns.__getitem__, size)
    assert found is not None
    listed = found.as_list()
    for i in range(size):
        # what DayColumns.totals hands a formula: Python ints and floats
        totals = {name: values[i].item() for name, values in columns.items()}
        assert _same(listed[i], formula.evaluate(totals))


def test_every_kind_of_formula_is_covered() -> None:
    kinds = {type(m.formula) for m in catalog.CATALOG if m.formula is not None}
    assert kinds - {Distinct} <= {Sum, Ratio, Mean}
    assert evaluate(Distinct("staff"), lambda _: np.zeros(1), 1) is None


def test_a_mean_of_integers_beyond_exact_floats_is_left_to_python() -> None:
    big = {"t": np.array([2**53 + 1]), "n": np.array([3])}
    assert evaluate(Mean("t", "n"), big.__getitem__, 1) is None
