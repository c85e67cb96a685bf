"""GraphQL types shared by both dashboards: periods, trends, points, metric info
and the metric value objects. Metric objects carry their data privately and
compute series on demand, with plain (synchronous) resolvers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from enum import Enum
from typing import Annotated, TypeVar

import strawberry

from server.metrics import catalog
from server.metrics.definition import DashboardKind as DomainDashboardKind
from server.metrics.definition import Judgement, MetricDef
from server.metrics.periods import Period as DomainPeriod
from server.metrics.periods import Preset, previous_period, resolve_period
from server.metrics.series import Granularity as DomainGranularity
from server.metrics.series import Point as DomainPoint
from server.metrics.series import align_previous
from server.metrics.trends import Direction as DomainDirection
from server.metrics.trends import Trend as DomainTrend

E = TypeVar("E", bound=type[Enum])


def described_enum(cls: E, name: str, description: str, values: Mapping[str, str]) -> E:
    """Make ``cls`` a GraphQL enum in place, with a description for it and every value.

    The domain enums (server.metrics) know nothing of Strawberry, so their words are
    written here, next to the GraphQL type; a value without words is an error.
    """
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    definition.values = [
        dataclasses.replace(value, description=values[value.name]) for value in definition.values
    ]
    return cls


# The domain enums become GraphQL enums as they are (strawberry.enum marks the
# class in place), so resolvers pass them straight to the metric layer.
described_enum(
    Preset,
    "PeriodPreset",
    "A named period ending on asOf (yesterday in the importer's timezone), or CUSTOM.",
    {
        "LAST_7_DAYS": "The 7 days ending on asOf; previous: the 7 days before.",
        "LAST_14_DAYS": "The 14 days ending on asOf; previous: the 14 days before.",
        "LAST_30_DAYS": "The 30 days ending on asOf; previous: the 30 days before.",
        "LAST_90_DAYS": "The 90 days ending on asOf; previous: the 90 days before.",
        "LAST_365_DAYS": "The 365 days ending on asOf; previous: the 365 days before.",
        "CURRENT_MONTH": "From the 1st of asOf's month to asOf; previous: the same days "
        "of the month before (clipped to its length).",
        "CURRENT_QUARTER": "From the first day of asOf's quarter to asOf; previous: the "
        "same span of the quarter before.",
        "CURRENT_YEAR": "From 1 January to asOf; previous: the same span of the year before.",
        "CUSTOM": "The days from..to given in PeriodInput (at most 1096 days, none after "
        "asOf); previous: as many days right before.",
    },
)
described_enum(
    DomainGranularity,
    "Granularity",
    "The bucket size of a series.",
    {
        "DAY": "One point per day.",
        "WEEK": "One point per ISO week (Monday to Sunday), clipped to the period.",
        "MONTH": "One point per calendar month, clipped to the period.",
    },
)
described_enum(
    DomainDirection,
    "Direction",
    "Which way a value moved against the previous period.",
    {"UP": "It rose.", "DOWN": "It fell.", "FLAT": "It did not change, or cannot be compared."},
)
described_enum(
    DomainDashboardKind,
    "DashboardKind",
    "A dashboard whose filters can be kept.",
    {
        "ACTIVATIONS": "The Activations and Performance dashboard (importer, workshop).",
        "PARTNER": "The Partner dashboard (importer, partner_manager, sales_partner).",
    },
)
PeriodPreset = Preset
Granularity = DomainGranularity
Direction = DomainDirection
DashboardKind = DomainDashboardKind

described_enum(
    Judgement,
    "MetricJudgement",
    "Which way a metric's movement is good news, if any.",
    {
        "HIGHER_IS_BETTER": "A rise is favorable.",
        "LOWER_IS_BETTER": "A fall is favorable.",
        "NEUTRAL": "A fact that is not judged: trends are never favorable or unfavorable.",
    },
)

T = TypeVar("T")
Day = date  # for annotations inside types that have a field named ``date``

GranularityArg = Annotated[
    Granularity, strawberry.argument(description="The bucket size (default: a point per day).")
]
_TREND = "How the value moved against the previous period."
_INFO_TEXT = "The metric's info-box: title, text, unit, direction."

SeriesFn = Callable[[DomainGranularity, bool], list[DomainPoint]]
"""(granularity, previous?) -> the period's (or the previous period's own) points:
how a metric object draws its series."""


class LeadSource(Enum):
    MARKETPLACE = "MARKETPLACE"
    DIRECT = "DIRECT"
    ALL = "ALL"


described_enum(
    LeadSource,
    "LeadSource",
    "How the leads reached the partner.",
    {
        "MARKETPLACE": "Offered through a marketplace.",
        "DIRECT": "Assigned directly by the importer.",
        "ALL": "Both.",
    },
)


class Exclusivity(Enum):
    EXCLUSIVE = "EXCLUSIVE"
    SHARED = "SHARED"
    ALL = "ALL"


described_enum(
    Exclusivity,
    "Exclusivity",
    "Whether a lead was offered to one partner only.",
    {
        "EXCLUSIVE": "Leads offered to this partner only.",
        "SHARED": "Leads offered to several partners (first to accept gets it).",
        "ALL": "Both.",
    },
)


@strawberry.input(description="A preset period, or CUSTOM (or no preset) with from and to.")
class PeriodInput:
    preset: PeriodPreset | None = strawberry.field(
        default=None, description="A named period; omitted or CUSTOM: from and to are used."
    )
    from_: date | None = strawberry.field(
        default=None, name="from", description="First day (inclusive), only without a preset."
    )
    to: date | None = strawberry.field(
        default=None, description="Last day (inclusive, at most asOf), only without a preset."
    )


def resolve_periods(period: PeriodInput, as_of: date) -> tuple[DomainPeriod, DomainPeriod]:
    """The requested period and its previous period (BAD_USER_INPUT when invalid)."""
    current = resolve_period(period.preset, period.from_, period.to, as_of=as_of)
    return current, previous_period(current, period.preset)


@strawberry.type(description="An inclusive range of days in the importer's timezone.")
class Period:
    from_: date = strawberry.field(name="from", description="First day (inclusive).")
    to: date = strawberry.field(description="Last day (inclusive).")
    days: int = strawberry.field(description="Number of days, from and to included.")

    @classmethod
    def of(cls, period: DomainPeriod) -> Period:
        return cls(from_=period.start, to=period.end, days=period.days)


@strawberry.type(description="How a value moved against the previous period.")
class Trend:
    previous: float | None = strawberry.field(
        description="The value over the previous period (null: nothing to compare)."
    )
    change: float | None = strawberry.field(
        description="The value minus previous, in the metric's unit (rates: fraction points)."
    )
    change_percent: float | None = strawberry.field(
        description="The change in percent of previous; null when previous is 0 or null."
    )
    direction: Direction = strawberry.field(description="Which way the value moved.")
    favorable: bool | None = strawberry.field(
        description="Whether the move is good news for this metric; null when flat or "
        "when the metric is not judged (direction NEUTRAL in MetricInfo)."
    )

    @classmethod
    def of(cls, trend: DomainTrend) -> Trend:
        return cls(
            previous=trend.previous,
            change=trend.change,
            change_percent=trend.change_percent,
            direction=trend.direction,
            favorable=trend.favorable,
        )


@strawberry.type(description="One bucket of a series: its value over the bucket's days.")
class Point:
    date: date = strawberry.field(description="The bucket's first day within the period.")
    value: float | None = strawberry.field(
        description="The value over the bucket; null where it is undefined (a rate with "
        "nothing to divide by, a mean with nothing to average)."
    )


@strawberry.type(description="The info-box of a metric: what it tracks and how it reads.")
class MetricInfo:
    key: str = strawberry.field(description="The metric's field name in this schema.")
    title: str = strawberry.field(description="The info-box heading.")
    description: str = strawberry.field(description="The info-box text, for an end user.")
    unit: str = strawberry.field(
        description="How the value reads: count, rate (fraction 0..1), seconds, "
        "rating (1..5) or date."
    )
    importer_only: bool = strawberry.field(
        description="Whether only importer users see the metric."
    )
    judgement: Judgement = strawberry.field(
        description="Which way a movement is good news; NEUTRAL for facts not judged."
    )
    higher_is_better: bool = strawberry.field(
        description="Whether a rise is favorable; false for lower-is-better and NEUTRAL.",
        deprecation_reason="Use judgement, which can also say NEUTRAL.",
    )

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
        judgement=definition.judgement,
        higher_is_better=definition.higher_is_better is True,
    )


_INFO = {d.key: _info(d) for d in catalog.CATALOG}


def info(key: str) -> MetricInfo:
    return _INFO[key]


@strawberry.type(description="One bucket of a count series.")
class CountPoint:
    date: date = strawberry.field(description="The bucket's first day within the period.")
    value: int = strawberry.field(description="The count over the bucket's days.")


@strawberry.type(
    description="One bucket of the previous period, with the current bucket it is drawn at."
)
class PreviousPoint:
    date: date = strawberry.field(description="The bucket's first day within the previous period.")
    value: float | None = strawberry.field(
        description="The value over the bucket; null where it is undefined."
    )
    offset: int = strawberry.field(
        description="The position (from 0) of the current period's bucket it aligns with."
    )
    aligns_with: Day = strawberry.field(description="The date of that current bucket.")


@strawberry.type(
    description="One bucket of a count's previous period, with the current bucket it is drawn at."
)
class PreviousCountPoint:
    date: date = strawberry.field(description="The bucket's first day within the previous period.")
    value: int = strawberry.field(description="The count over the bucket's days.")
    offset: int = strawberry.field(
        description="The position (from 0) of the current period's bucket it aligns with."
    )
    aligns_with: Day = strawberry.field(description="The date of that current bucket.")


_PREVIOUS_SERIES = (
    "The previous period's buckets, each dated inside the previous period and paired "
    "with the current bucket at the same position (offset). When the previous period "
    "has fewer buckets, the last current buckets have no previous point."
)


def _points(points: list[DomainPoint]) -> list[Point]:
    return [Point(date=p.date, value=p.value) for p in points]


def _previous(draw: SeriesFn, granularity: DomainGranularity) -> list[PreviousPoint]:
    aligned = align_previous(draw(granularity, False), draw(granularity, True))
    return [
        PreviousPoint(date=p.date, value=p.value, offset=p.offset, aligns_with=p.aligns_with)
        for p in aligned
    ]


def _count(value: float | None) -> int:
    return round(value or 0)


@strawberry.type(description="A count over the period, with its trend and series.")
class CountMetric:
    value: int = strawberry.field(description="The count over the period.")
    trend: Trend = strawberry.field(description=_TREND)
    info: MetricInfo = strawberry.field(description=_INFO_TEXT)
    draw: strawberry.Private[SeriesFn]

    @strawberry.field(description="The period's points (every bucket present, no gaps).")
    def series(self, granularity: GranularityArg = DomainGranularity.DAY) -> list[CountPoint]:
        return [
            CountPoint(date=p.date, value=_count(p.value)) for p in self.draw(granularity, False)
        ]

    @strawberry.field(description=_PREVIOUS_SERIES)
    def previous_series(
        self, granularity: GranularityArg = DomainGranularity.DAY
    ) -> list[PreviousCountPoint]:
        return [
            PreviousCountPoint(
                date=p.date, value=_count(p.value), offset=p.offset, aligns_with=p.aligns_with
            )
            for p in _previous(self.draw, granularity)
        ]


@strawberry.type(description="A fraction 0..1 over the period, with its trend and series.")
class RateMetric:
    value: float | None = strawberry.field(
        description="The rate over the period; null when its denominator is 0."
    )
    trend: Trend = strawberry.field(description=_TREND)
    info: MetricInfo = strawberry.field(description=_INFO_TEXT)
    draw: strawberry.Private[SeriesFn]

    @strawberry.field(description="The period's points; null where the denominator is 0.")
    def series(self, granularity: GranularityArg = DomainGranularity.DAY) -> list[Point]:
        return _points(self.draw(granularity, False))

    @strawberry.field(description=_PREVIOUS_SERIES)
    def previous_series(
        self, granularity: GranularityArg = DomainGranularity.DAY
    ) -> list[PreviousPoint]:
        return _previous(self.draw, granularity)


@strawberry.type(description="A mean duration in seconds; null when there is nothing to average.")
class DurationMetric:
    value: float | None = strawberry.field(description="The mean in seconds.")
    trend: Trend = strawberry.field(description=_TREND)
    info: MetricInfo = strawberry.field(description=_INFO_TEXT)
