"""Series: a metric's points over a period, per day, week or month, and the
previous period's points aligned with them (METRICS.md, "Series")."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from server.metrics.formulas import Formula
from server.metrics.periods import Period

DayComponents = Mapping[date, Mapping[str, float]]
"""Per-day component sums (rollup columns); a missing day counts as all zeros."""


class Granularity(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass(frozen=True)
class Point:
    """A bucket's value, dated by the bucket's first day within the period."""

    date: date
    value: float | None


def bucket_end(day: date, granularity: Granularity) -> date:
    """The last day of the day/week (Monday-Sunday)/calendar month containing ``day``."""
    if granularity is Granularity.DAY:
        return day
    if granularity is Granularity.WEEK:
        return day + timedelta(days=6 - day.weekday())
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def buckets(period: Period, granularity: Granularity) -> list[Period]:
    """Split ``period`` into consecutive buckets, the first and last clipped to it.

    Example:
        >>> [b.days for b in buckets(Period(date(2026, 11, 1), date(2026, 11, 22)),
        ...                          Granularity.WEEK)]
        [1, 7, 7, 7]
    """
    result: list[Period] = []
    start = period.start
    while start <= period.end:
        end = min(bucket_end(start, granularity), period.end)
        result.append(Period(start, end))
        start = end + timedelta(days=1)
    return result


def sum_components(
    per_day: DayComponents, components: Iterable[str], days: Period
) -> dict[str, float]:
    """Each component summed over the days of ``days`` (missing days and columns are 0)."""
    names = tuple(components)
    totals = dict.fromkeys(names, 0.0)
    for day in days.dates():
        row = per_day.get(day)
        if row is None:
            continue
        for name in names:
            totals[name] += row.get(name, 0.0)
    return totals


def value_over(per_day: DayComponents, formula: Formula, days: Period) -> float | None:
    """The metric's value over ``days``: components summed, then the formula."""
    return formula.evaluate(sum_components(per_day, formula.components, days))


def series(
    per_day: DayComponents, formula: Formula, period: Period, granularity: Granularity
) -> list[Point]:
    """One point per bucket of ``period``, each by the same definition as the
    whole period's value (a rate is a ratio of the bucket's sums, not a mean of
    daily rates). Every bucket has a point: 0 for an empty count, ``None`` for a
    rate or mean with nothing to divide by.

    Raises:
        NotAdditive: for a ``Distinct`` formula (compute those per bucket from id sets).
    """
    return [
        Point(bucket.start, value_over(per_day, formula, bucket))
        for bucket in buckets(period, granularity)
    ]


@dataclass(frozen=True)
class PreviousPoint:
    """A bucket of the previous period, dated inside it, and where it is drawn:
    at ``offset`` (from 0), the position of the current bucket dated ``aligns_with``."""

    aligns_with: date
    date: date
    value: float | None
    offset: int


def align_previous(current: Sequence[Point], previous: Sequence[Point]) -> list[PreviousPoint]:
    """The previous period's points, each paired with the current bucket it overlays.

    The two periods may differ in length (1-31 Mar against 1-28 Feb) or in how
    their days fall into weeks. Bucket i of the previous period aligns with bucket
    i of the current one; previous buckets beyond the current count are dropped,
    and current buckets beyond the previous count have no previous point (never a
    made-up point dated outside the previous period).
    """
    return [
        PreviousPoint(aligns_with=now.date, date=before.date, value=before.value, offset=offset)
        for offset, (now, before) in enumerate(zip(current, previous, strict=False))
    ]
