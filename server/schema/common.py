"""GraphQL types shared by both dashboards: periods, trends, points, metric info
and the metric value objects. Metric objects carry their data privately and
compute series on demand, with plain (synchronous) resolvers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import TypeVar

import strawberry

from server.metrics import catalog
from server.metrics.definition import DashboardKind as DomainDashboardKind
from server.metrics.definition import MetricDef
from server.metrics.periods import Period as DomainPeriod
from server.metrics.periods import Preset, previous_period, resolve_period
from server.metrics.series import Granularity as DomainGranularity
from server.metrics.series import Point as DomainPoint
from server.metrics.trends import Direction as DomainDirection
from server.metrics.trends import Trend as DomainTrend

# The domain enums become GraphQL enums as they are (strawberry.enum marks the
# class in place), so resolvers pass them straight to the metric layer.
strawberry.enum(Preset, name="PeriodPreset")
strawberry.enum(DomainGranularity, name="Granularity")
strawberry.enum(DomainDirection, name="Direction")
strawberry.enum(DomainDashboardKind, name="DashboardKind")
PeriodPreset = Preset
Granularity = DomainGranularity
Direction = DomainDirection
DashboardKind = DomainDashboardKind

T = TypeVar("T")

SeriesFn = Callable[[DomainGranularity, bool], list[DomainPoint]]
"""(granularity, previous?) -> points: how a metric object draws its series."""


@strawberry.enum
class LeadSource(Enum):
    MARKETPLACE = "MARKETPLACE"
    DIRECT = "DIRECT"
    ALL = "ALL"


@strawberry.enum
class Exclusivity(Enum):
    EXCLUSIVE = "EXCLUSIVE"
    SHARED = "SHARED"
    ALL = "ALL"


@strawberry.input(description="A preset period, or CUSTOM (or no preset) with from and to.")
class PeriodInput:
    preset: PeriodPreset | None = None
    from_: date | None = strawberry.field(default=None, name="from")
    to: date | None = None


def resolve_periods(period: PeriodInput, as_of: date) -> tuple[DomainPeriod, DomainPeriod]:
    """The requested period and its previous period (BAD_USER_INPUT when invalid)."""
    current = resolve_period(period.preset, period.from_, period.to, as_of=as_of)
    return current, previous_period(current, period.preset)


@strawberry.type(description="An inclusive range of days in the importer's timezone.")
class Period:
    from_: date = strawberry.field(name="from")
    to: date
    days: int

    @classmethod
    def of(cls, period: DomainPeriod) -> Period:
        return cls(from_=period.start, to=period.end, days=period.days)


@strawberry.type(description="How a value moved against the previous period.")
class Trend:
    previous: float | None
    change: float | None
    change_percent: float | None
    direction: Direction
    favorable: bool | None

    @classmethod
    def of(cls, trend: DomainTrend) -> Trend:
        return cls(
            previous=trend.previous,
            change=trend.change,
            change_percent=trend.change_percent,
            direction=trend.direction,
            favorable=trend.favorable,
        )


@strawberry.type
class Point:
    date: date
    value: float | None


@strawberry.type(description="The info-box of a metric: what it tracks and how it reads.")
class MetricInfo:
    key: str
    title: str
    description: str
    unit: str
    importer_only: bool
    higher_is_better: bool

    @classmethod
    def of(cls, definition: MetricDef) -> MetricInfo:
        return _INFO[definition.key]


def describe(key: str) -> str:
    """A field's schema description: the metric's info-box text, from the catalog."""
    return catalog.metric(key).description


async def ready(value: T) -> T:
    """An already-known value as an awaitable, for a family a query did not ask for."""
    return value


def _info(definition: MetricDef) -> MetricInfo:
    return MetricInfo(
        key=definition.key,
        title=definition.title,
        description=definition.description,
        unit=definition.unit,
        importer_only=definition.importer_only,
        higher_is_better=definition.higher_is_better,
    )


_INFO = {d.key: _info(d) for d in catalog.CATALOG}


def info(key: str) -> MetricInfo:
    return _INFO[key]


def _points(points: list[DomainPoint]) -> list[Point]:
    return [Point(date=p.date, value=p.value) for p in points]


@strawberry.type
class CountMetric:
    value: int
    trend: Trend
    info: MetricInfo
    draw: strawberry.Private[SeriesFn]

    @strawberry.field(description="The period's points (every bucket present, no gaps).")
    def series(self, granularity: Granularity = DomainGranularity.DAY) -> list[Point]:
        return _points(self.draw(granularity, False))

    @strawberry.field(description="The previous period's points, aligned bucket by bucket.")
    def previous_series(self, granularity: Granularity = DomainGranularity.DAY) -> list[Point]:
        return _points(self.draw(granularity, True))


@strawberry.type
class RateMetric:
    value: float | None
    trend: Trend
    info: MetricInfo
    draw: strawberry.Private[SeriesFn]

    @strawberry.field(description="The period's points; null where the denominator is 0.")
    def series(self, granularity: Granularity = DomainGranularity.DAY) -> list[Point]:
        return _points(self.draw(granularity, False))

    @strawberry.field(description="The previous period's points, aligned bucket by bucket.")
    def previous_series(self, granularity: Granularity = DomainGranularity.DAY) -> list[Point]:
        return _points(self.draw(granularity, True))


@strawberry.type(description="A mean duration in seconds; null when there is nothing to average.")
class DurationMetric:
    value: float | None
    trend: Trend
    info: MetricInfo
