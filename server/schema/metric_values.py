"""Build metric objects (value, trend, series, info) from loaded day data, by the
catalog's definition of each metric — shared by both dashboards."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from server.metrics import catalog
from server.metrics.periods import Period
from server.metrics.series import Granularity, Point, align_previous, buckets, series, value_over
from server.metrics.trends import trend
from server.schema.common import CountMetric, DurationMetric, RateMetric, SeriesFn, Trend, info

DayComponents = Mapping[date, Mapping[str, float]]


def trend_of(key: str, current: float | None, previous: float | None) -> Trend:
    definition = catalog.metric(key)
    return Trend.of(trend(current, previous, higher_is_better=definition.higher_is_better))


def _additive_draw(key: str, per_day: DayComponents, current: Period, previous: Period) -> SeriesFn:
    formula = catalog.metric(key).formula
    assert formula is not None, f"{key} has no additive formula"

    def draw(granularity: Granularity, of_previous: bool) -> list[Point]:
        points = series(per_day, formula, current, granularity)
        if not of_previous:
            return points
        before = series(per_day, formula, previous, granularity)
        return align_previous(points, before, previous, granularity=granularity)

    return draw


def bucket_draw(
    values: Mapping[tuple[Granularity, bool], Mapping[date, float]],
    current: Period,
    previous: Period,
) -> SeriesFn:
    """Series from values computed per bucket elsewhere (exact distinct counts)."""

    def points(period: Period, granularity: Granularity, of_previous: bool) -> list[Point]:
        found = values.get((granularity, of_previous), {})
        return [Point(b.start, float(found.get(b.start, 0))) for b in buckets(period, granularity)]

    def draw(granularity: Granularity, of_previous: bool) -> list[Point]:
        now = points(current, granularity, False)
        if not of_previous:
            return now
        before = points(previous, granularity, True)
        return align_previous(now, before, previous, granularity=granularity)

    return draw


def values_of(
    key: str, per_day: DayComponents, current: Period, previous: Period
) -> tuple[float | None, float | None]:
    formula = catalog.metric(key).formula
    assert formula is not None, f"{key} has no additive formula"
    return value_over(per_day, formula, current), value_over(per_day, formula, previous)


def count_metric(
    key: str, per_day: DayComponents, current: Period, previous: Period
) -> CountMetric:
    now, before = values_of(key, per_day, current, previous)
    return CountMetric(
        value=int(now or 0),
        trend=trend_of(key, now, before),
        info=info(key),
        draw=_additive_draw(key, per_day, current, previous),
    )


def rate_metric(key: str, per_day: DayComponents, current: Period, previous: Period) -> RateMetric:
    now, before = values_of(key, per_day, current, previous)
    return RateMetric(
        value=now,
        trend=trend_of(key, now, before),
        info=info(key),
        draw=_additive_draw(key, per_day, current, previous),
    )


def duration_metric(
    key: str, per_day: DayComponents, current: Period, previous: Period
) -> DurationMetric:
    now, before = values_of(key, per_day, current, previous)
    return DurationMetric(value=now, trend=trend_of(key, now, before), info=info(key))


def total(per_day: DayComponents, column: str, period: Period) -> int:
    return int(sum(row.get(column, 0.0) for day, row in per_day.items() if day in period))
