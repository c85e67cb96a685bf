"""Build metric objects (value, trend, series, info) from loaded day data, by the
catalog's definition of each metric — shared by both dashboards."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from server.metrics import catalog
from server.metrics.daytable import DayTable
from server.metrics.formulas import Formula
from server.metrics.periods import Period
from server.metrics.series import Granularity, Point, buckets, series
from server.metrics.trends import trend
from server.schema.common import CountMetric, DurationMetric, RateMetric, SeriesFn, Trend, info


def trend_of(key: str, current: float | None, previous: float | None) -> Trend:
    definition = catalog.metric(key)
    return Trend.of(trend(current, previous, higher_is_better=definition.higher_is_better))


def _formula(key: str) -> Formula:
    formula = catalog.metric(key).formula
    assert formula is not None, f"{key} has no additive formula"
    return formula


def formula_draw(formula: Formula, table: DayTable, current: Period, previous: Period) -> SeriesFn:
    """Series of ``formula`` per bucket, from the table's per-day rows."""

    def draw(granularity: Granularity, of_previous: bool) -> list[Point]:
        return series(table.per_day(), formula, previous if of_previous else current, granularity)

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
        return points(previous if of_previous else current, granularity, of_previous)

    return draw


def values_of(
    key: str, table: DayTable, current: Period, previous: Period
) -> tuple[float | None, float | None]:
    """The metric's value over the period and over the previous period."""
    formula = _formula(key)
    return formula.evaluate(table.totals(current)), formula.evaluate(table.totals(previous))


def count_metric(key: str, table: DayTable, current: Period, previous: Period) -> CountMetric:
    now, before = values_of(key, table, current, previous)
    return CountMetric(
        value=int(now or 0),
        trend=trend_of(key, now, before),
        info=info(key),
        draw=formula_draw(_formula(key), table, current, previous),
    )


def rate_metric(key: str, table: DayTable, current: Period, previous: Period) -> RateMetric:
    now, before = values_of(key, table, current, previous)
    return RateMetric(
        value=now,
        trend=trend_of(key, now, before),
        info=info(key),
        draw=formula_draw(_formula(key), table, current, previous),
    )


def duration_metric(key: str, table: DayTable, current: Period, previous: Period) -> DurationMetric:
    now, before = values_of(key, table, current, previous)
    return DurationMetric(value=now, trend=trend_of(key, now, before), info=info(key))
