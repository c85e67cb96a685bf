"""Columnar day rollups (server/metrics/columnar.py) against plain sums: exact
for integers (also beyond 32 bits), integral floats kept exact, other floats
equal up to rounding; unknown workshops and days outside the data count 0."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from server.metrics.columnar import DayColumnsBuilder
from server.metrics.periods import Period

FIRST = date(2026, 1, 1)
COLUMNS = ("n", "big", "seconds", "fraction")
FLOATING = frozenset({"seconds", "fraction"})


def _rows(rng: random.Random) -> dict[tuple[int, int], tuple[float, ...]]:
    rows = {}
    for workshop in (3, 7, 11, 40):
        for day in rng.sample(range(60), 35):
            rows[(workshop, day)] = (
                rng.randint(0, 9),
                rng.randint(0, 2**31 - 1),  # a day's value fits 32 bits, its sums do not
                float(rng.randint(0, 5000)),
                rng.random() * 100,
            )
    return rows


def _built(rows):
    workshops = sorted({w for w, _ in rows})
    builder = DayColumnsBuilder(COLUMNS, FLOATING, workshops, FIRST.toordinal(), 60, counted=("n",))
    keys = sorted(rows)
    builder.add(
        np.array([w for w, _ in keys], np.int64),
        np.array([d for _, d in keys], np.int64),
        {c: np.array([rows[k][i] for k in keys]) for i, c in enumerate(COLUMNS)},
    )
    return builder.build()


def _expected(rows, scope, period):
    lo, hi = (period.start - FIRST).days, (period.end - FIRST).days
    picked = [v for (w, d), v in rows.items() if w in scope and lo <= d <= hi]
    return [sum(v[i] for v in picked) for i in range(len(COLUMNS))]


SCOPES = [(3,), (3, 7), (3, 7, 11, 40), (7, 40, 99), (99,), ()]
PERIODS = [
    Period(FIRST, FIRST),
    Period(FIRST + timedelta(days=10), FIRST + timedelta(days=40)),
    Period(FIRST - timedelta(days=30), FIRST + timedelta(days=5)),
    Period(FIRST + timedelta(days=55), FIRST + timedelta(days=90)),
    Period(FIRST - timedelta(days=30), FIRST - timedelta(days=1)),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_period_totals_equal_plain_sums(seed):
    rows = _rows(random.Random(seed))
    copy = _built(rows)
    found = copy.totals(SCOPES, PERIODS)
    for scope, per_period in zip(SCOPES, found, strict=True):
        for period, values in zip(PERIODS, per_period, strict=True):
            n, big, seconds, fraction = _expected(rows, scope, period)
            assert values[:3] == (n, big, seconds), (scope, period)
            assert type(values[0]) is int and type(values[2]) is float
            assert values[3] == pytest.approx(fraction, rel=1e-12, abs=1e-9)


def test_daily_values_equal_plain_days():
    rows = _rows(random.Random(4))
    copy = _built(rows)
    first, last = FIRST - timedelta(days=3), FIRST + timedelta(days=65)
    for scope in SCOPES:
        days = copy.daily(scope, first, last)
        for k in range(days.shape[1]):
            day = first + timedelta(days=k)
            expected = _expected(rows, scope, Period(day, day))
            assert days[:3, k].tolist() == expected[:3], (scope, day)
            assert days[3, k] == pytest.approx(expected[3], rel=1e-12, abs=1e-9)


def test_cumulative_sums_beyond_32_bits_stay_exact():
    rows = {(1, d): (0, 2**31 - 1, 0.0, 0.0) for d in range(60)}
    copy = _built(rows)
    ((values,),) = copy.totals([(1,)], [Period(FIRST, FIRST + timedelta(days=59))])
    assert values[1] == 60 * (2**31 - 1)


def test_a_row_of_an_unannounced_workshop_is_refused():
    builder = DayColumnsBuilder(COLUMNS, FLOATING, [1], FIRST.toordinal(), 5)
    with pytest.raises(ValueError, match="not announced"):
        builder.add(
            np.array([2], np.int64), np.array([0], np.int64), {c: np.array([1]) for c in COLUMNS}
        )


@pytest.mark.parametrize("seed", [5, 6])
def test_activity_counts_active_days_and_finds_the_last(seed):
    rows = _rows(random.Random(seed))
    copy = _built(rows)
    for period in PERIODS:
        found = copy.activity([3, 7, 11, 40, 99], period, "n", "big")
        lo, hi = (period.start - FIRST).days, (period.end - FIRST).days
        for w in (3, 7, 11, 40):
            days = [d for (x, d), v in rows.items() if x == w and lo <= d <= hi and v[0] > 0]
            actions = sum(v[1] for (x, d), v in rows.items() if x == w and lo <= d <= hi)
            last = FIRST + timedelta(days=max(days)) if days else None
            assert found[w] == (len(days), actions, last), (w, period)
        assert 99 not in found
