"""Cumulative sums held in 16 bits (server/metrics/columnar.py): a column whose
days are never negative and whose row sums stay at or below 65,535 is held in
uint16, a quarter of int64's bytes; one step beyond (a sum of 65,536, a
negative day) falls back to int32, and a refresh that would carry a uint16
column past its limit declines (the caller builds anew, wider). Answers equal
plain int64 sums either way."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from server.metrics.columnar import DayColumns, DayColumnsBuilder
from server.metrics.periods import Period

FIRST = 739_000
DAYS = 8
ROWS = 3


def _build(count: np.ndarray) -> DayColumns:
    builder = DayColumnsBuilder(("count",), frozenset(), list(range(ROWS)), FIRST, count.shape[1])
    r, d = np.meshgrid(np.arange(ROWS), np.arange(count.shape[1]), indexing="ij")
    builder.add(r.ravel(), d.ravel(), {"count": count.ravel()})
    return builder.build()


def _bytes_per_sum(copy: DayColumns) -> float:
    """Bytes per held cumulative sum (the int64 importer-wide row and ids aside)."""
    aside = copy.workshops.nbytes + (copy.days + 1) * 8
    return (copy.nbytes - aside) / (ROWS * (copy.days + 1))


def _answers(copy: DayColumns) -> list[object]:
    days = [date.fromordinal(FIRST + k) for k in range(copy.days)]
    periods = [Period(days[a], days[b]) for a, b in ((0, -1), (2, 5), (7, 7))]
    return [
        copy.totals([[0], [1, 2], [0, 2]], periods),
        copy.daily([1, 2], days[0], days[-1]).tolist(),
        copy.raw_days("count").tolist(),
    ]


def _expected(count: np.ndarray) -> list[object]:
    """The same answers from plain int64 sums."""
    wide = count.astype(np.int64)
    bounds = ((0, DAYS), (2, 6), (7, 8))
    totals = [
        [(int(wide[scope][:, a:b].sum()),) for a, b in bounds] for scope in ([0], [1, 2], [0, 2])
    ]
    return [totals, [wide[[1, 2]].sum(axis=0).astype(float).tolist()], wide.tolist()]


def _near_limit(top: int) -> np.ndarray:
    """Rows whose sums over the days end at ``top`` (row 2), with big single days."""
    count = np.zeros((ROWS, DAYS), dtype=np.int64)
    count[0] = 7
    count[1, 3] = 40_000
    count[2, :] = top // DAYS
    count[2, -1] += top - count[2].sum()
    return count


@pytest.mark.parametrize(("top", "width"), [(65_535, 2), (65_536, 4), (2**31 - 1, 4)])
def test_sums_are_held_in_the_narrowest_type_that_fits(top, width):
    count = _near_limit(top)
    copy = _build(count)
    assert _bytes_per_sum(copy) == width
    assert _answers(copy) == _expected(count)


def test_a_negative_day_is_not_held_in_16_bits():
    count = _near_limit(100)
    count[0, 4] = -3
    copy = _build(count)
    assert _bytes_per_sum(copy) == 4
    assert _answers(copy) == _expected(count)


def test_a_refresh_up_to_the_16_bit_limit_equals_a_fresh_build():
    count = _near_limit(60_000)
    copy = _build(count)
    given = np.array([[7], [0], [count[2, 5] + 5_535]])
    moved = copy.with_days(np.array([FIRST + 5]), {"count": given})
    changed = count.copy()
    changed[:, 5] = given[:, 0]
    assert moved is not None and _bytes_per_sum(moved) == 2
    assert _answers(moved) == _expected(changed) == _answers(_build(changed))


def test_a_refresh_past_the_16_bit_limit_or_negative_declines():
    count = _near_limit(60_000)
    copy = _build(count)
    past = np.array([[7], [0], [count[2, 5] + 5_536]])  # row 2 ends at 65,536
    assert copy.with_days(np.array([FIRST + 5]), {"count": past}) is None
    negative = np.array([[-1], [0], [0]])
    assert copy.with_days(np.array([FIRST + 5]), {"count": negative}) is None
    grown = copy.with_days(np.array([FIRST + DAYS]), {"count": np.array([[1], [1], [5_536]])})
    assert grown is None  # a new last day carries row 2 past the limit too


def test_a_32_bit_copy_past_its_limit_declines():
    count = _near_limit(2**31 - 10)
    copy = _build(count)
    assert copy.with_days(np.array([FIRST + 1]), {"count": np.array([[0], [0], [2**30]])}) is None
