"""``DayColumns.with_days`` (a refresh that moves the cumulative sums instead of
rebuilding) holds what a fresh build of the same values holds, and declines
(None: build anew) where it cannot: a day before the first, fractions in a
column held as integers, sums beyond 32 bits."""

from __future__ import annotations

from datetime import date

import numpy as np

from server.metrics.columnar import DayColumns, DayColumnsBuilder
from server.metrics.periods import Period

COLUMNS = ("count", "seconds", "rows")
FLOATING = frozenset({"seconds"})
FIRST = 739_000


def _build(values: dict[str, np.ndarray]) -> DayColumns:
    rows, days = values["count"].shape
    builder = DayColumnsBuilder(
        COLUMNS, FLOATING, list(range(rows)), FIRST, days, counted=("rows",)
    )
    r, d = np.meshgrid(np.arange(rows), np.arange(days), indexing="ij")
    builder.add(r.ravel(), d.ravel(), {c: v.ravel() for c, v in values.items()})
    return builder.build()


def _values(rng: np.random.Generator, days: int, fractions: bool) -> dict[str, np.ndarray]:
    seconds = rng.integers(0, 500, (4, days)).astype(np.float64)
    if fractions:
        seconds += rng.random((4, days))
    return {
        "count": rng.integers(0, 9, (4, days)),
        "seconds": seconds,
        "rows": rng.integers(0, 2, (4, days)),
    }


def _answers(copy: DayColumns) -> list[object]:
    days = [date.fromordinal(FIRST + k) for k in range(copy.days)]
    periods = [Period(days[a], days[b]) for a, b in ((0, -1), (3, 9), (10, 10), (5, len(days) - 1))]
    return [
        copy.totals([[0], [1, 2], [0, 1, 2, 3]], periods),
        copy.activity([0, 1, 2, 3], periods[1], "rows", "count"),
        copy.daily([1, 3], days[0], days[-1]).tolist(),
        {c: copy.raw_days(c).tolist() for c in COLUMNS},
    ]


def test_moved_days_equal_a_fresh_build():
    rng = np.random.default_rng(3)
    for fractions in (False, True):
        values = _values(rng, 30, fractions)
        copy = _build(values)
        changed = np.array([FIRST + 2, FIRST + 17, FIRST + 29, FIRST + 33])  # the last extends
        new = _values(rng, 4, fractions)
        extended = {c: np.pad(v, ((0, 0), (0, 4))) for c, v in values.items()}
        for c in COLUMNS:
            extended[c][:, changed - FIRST] = new[c]
        moved = copy.with_days(changed, new)
        assert moved is not None and moved.days == 34
        assert _answers(moved) == _answers(_build(extended))
        assert _answers(copy) == _answers(_build(values))  # the old copy is unchanged


def test_a_refresh_it_cannot_hold_declines():
    rng = np.random.default_rng(4)
    copy = _build(_values(rng, 10, False))
    assert copy.with_days(np.array([FIRST - 1]), _values(rng, 1, False)) is None
    fractional = _values(rng, 1, True)
    assert copy.with_days(np.array([FIRST + 4]), fractional) is None
    huge = _values(rng, 1, False)
    huge["count"] = np.full((4, 1), 2**31 - 5)
    assert copy.with_days(np.array([FIRST + 4]), huge) is None
