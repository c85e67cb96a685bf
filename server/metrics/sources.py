"""What data a set of requested metrics needs, derived from their catalog
formulas: a dashboard loads a rollup family exactly when some requested metric's
formula reads one of its columns, so a new metric cannot be forgotten in a hand
list of keys (a query asking only for it would answer 0).

Metrics without a formula are computed another way; the dashboard that shows
them names, per key, what computes them, and ``unclaimed`` says which it missed
(checked when the dashboard module loads)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from server.metrics.catalog import CATALOG, metric
from server.metrics.definition import DashboardKind
from server.metrics.formulas import Distinct


def keys_of(dashboard: DashboardKind) -> frozenset[str]:
    """Every catalog key of ``dashboard``."""
    return frozenset(entry.key for entry in CATALOG if entry.dashboard is dashboard)


def columns_of(keys: Iterable[str]) -> frozenset[str]:
    """The rollup columns the formulas of ``keys`` read."""
    return frozenset(
        column
        for key in keys
        if (formula := metric(key).formula) is not None
        for column in formula.components
    )


def distinct_kinds_of(keys: Iterable[str]) -> frozenset[str]:
    """The id kinds ('staff', 'app') whose distinct counts ``keys`` need."""
    return frozenset(
        formula.kind for key in keys if isinstance(formula := metric(key).formula, Distinct)
    )


def without_formula(keys: Iterable[str]) -> frozenset[str]:
    """The keys computed another way than from rollup columns."""
    return frozenset(key for key in keys if metric(key).formula is None)


def families_of(keys: Iterable[str], computed_by: Mapping[str, str]) -> frozenset[str]:
    """The names of what computes the formula-less ``keys`` (``computed_by``: key → name)."""
    return frozenset(computed_by[key] for key in without_formula(keys))


def unclaimed(
    dashboard: DashboardKind,
    computed_by: Mapping[str, str],
    column_families: Iterable[Iterable[str]],
) -> list[str]:
    """Problems: formula-less metrics of ``dashboard`` nothing computes, and
    formula columns no loaded family provides (empty: the dashboard covers the catalog)."""
    keys = keys_of(dashboard)
    problems = [
        f"{key}: no formula and nothing computes it"
        for key in sorted(without_formula(keys) - set(computed_by))
    ]
    provided = {column for family in column_families for column in family}
    problems += [
        f"{column}: read by a {dashboard.value} formula but loaded by no family"
        for column in sorted(columns_of(keys) - provided)
    ]
    return problems


def check_claimed(
    dashboard: DashboardKind,
    computed_by: Mapping[str, str],
    column_families: Iterable[Iterable[str]],
) -> None:
    """Raise ``RuntimeError`` (at start-up) listing every ``unclaimed`` problem."""
    problems = unclaimed(dashboard, computed_by, column_families)
    if problems:
        raise RuntimeError(f"{dashboard.value} dashboard misses: " + "; ".join(problems))
