"""Formulas and trends over many scopes at once (numpy arrays, one value per
scope), giving exactly what ``Formula.evaluate`` and ``trends.trend`` give for
each scope: the same IEEE operations in the same order (every +, -, * and /
is correctly rounded in numpy as in Python), so lists of dashboards are
computed without a Python call per scope and metric.

Where exactness would depend on more than that (an integer sum beyond 2**53
divided, where Python divides exact integers), ``None`` says so and the caller
takes the per-scope path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from server.metrics.formulas import Formula, Mean, Ratio, Sum
from server.metrics.trends import FLAT_TOLERANCE, Direction

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Component = Callable[[str], npt.NDArray[Any]]
"""A component's sums per scope: int64 (exact) or float64 values."""

_EXACT = 2**53


@dataclass(frozen=True)
class Values:
    """A metric's value per scope; ``missing`` where the formula gives None."""

    values: Floats
    missing: Mask

    def as_list(self) -> list[float | None]:
        """Python floats, None where missing (what ``evaluate`` returns)."""
        out: list[float | None] = self.values.tolist()
        if self.missing.any():
            for i in np.flatnonzero(self.missing).tolist():
                out[i] = None
        return out


def _total(component: Component, names: tuple[str, ...], size: int) -> Floats:
    """``sum(names, 0.0)`` per scope: an int converts to float before each add,
    as Python's float + int does."""
    acc = np.zeros(size, dtype=np.float64)
    for name in names:
        acc = acc + component(name)
    return acc


def evaluate(formula: Formula, component: Component, size: int) -> Values | None:
    """``formula.evaluate`` per scope, or None where that cannot be proven equal
    (a Distinct formula; a mean of integers beyond 2**53)."""
    if isinstance(formula, Sum):
        return Values(_total(component, formula.components, size), np.zeros(size, bool))
    if isinstance(formula, Ratio):
        denominator = _total(component, formula.denominator, size)
        numerator = _total(component, formula.numerator, size)
        missing = denominator == 0
        return Values(_divide(numerator, denominator, missing), missing)
    if isinstance(formula, Mean):
        total, count = component(formula.total), component(formula.count)
        for part in (total, count):
            if part.dtype.kind == "i" and len(part) and np.abs(part).max() >= _EXACT:
                return None  # Python divides such integers exactly, float64 would not
        missing = count == 0
        return Values(_divide(total.astype(np.float64), count.astype(np.float64), missing), missing)
    return None


def _divide(numerator: Floats, denominator: Floats, missing: Mask) -> Floats:
    out = np.zeros(len(numerator), dtype=np.float64)
    with np.errstate(over="ignore"):  # as Python's float division: inf (callers check)
        np.divide(numerator, denominator, out=out, where=~missing)
    return out


@dataclass(frozen=True)
class Trends:
    """``trend(current, previous)`` per scope, as columns."""

    previous: list[float | None]
    change: list[float | None]
    change_percent: list[float | None]
    direction: list[Direction]
    favorable: list[bool | None]
    finite: bool  # every change and percentage is a finite number


def trends(current: Values, previous: Values, *, higher_is_better: bool | None) -> Trends:
    """What ``server.metrics.trends.trend`` answers for each scope."""
    size = len(current.values)
    comparable = ~(current.missing | previous.missing)
    change = np.where(comparable, current.values - previous.values, 0.0)
    change[np.abs(change) < FLAT_TOLERANCE] = 0.0
    no_percent = ~comparable | (previous.values == 0)
    percent = np.zeros(size, dtype=np.float64)
    with np.errstate(over="ignore"):  # an infinite percentage is reported by ``finite``
        np.divide(change, np.abs(previous.values), out=percent, where=~no_percent)
        percent = percent * 100
    flat = ~comparable | (change == 0)
    up = change > 0
    directions = np.where(flat, 2, np.where(up, 0, 1)).tolist()
    named = (Direction.UP, Direction.DOWN, Direction.FLAT)
    if higher_is_better is None:
        favorable: list[bool | None] = [None] * size
    else:
        judged: list[bool | None] = (up == higher_is_better).tolist()
        favorable = _blank(judged, flat)
    return Trends(
        previous=previous.as_list(),
        change=_blank(change.tolist(), ~comparable),
        change_percent=_blank(percent.tolist(), no_percent),
        direction=[named[d] for d in directions],
        favorable=favorable,
        finite=bool(np.isfinite(change).all() and np.isfinite(percent).all()),
    )


def _blank(values: list[Any], missing: Mask) -> list[Any]:
    """``values`` with None where ``missing``."""
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            values[i] = None
    return values
