"""The Activations and Performance dashboard types, and how a dashboard is put
together from its loaded metric families."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from server.auth.principal import Role
from server.metrics import sources
from server.metrics.daytable import DayTable
from server.metrics.definition import DashboardKind
from server.metrics.distinct import DistinctCounts
from server.metrics.periods import Period as DomainPeriod
from server.metrics.series import Granularity as DomainGranularity
from server.metrics.series import buckets
from server.processing.workshops import COLUMNS as DAY_COLUMNS
from server.resolvers.activations import ActivityRow, DayRows
from server.resolvers.loaders import ScopeKey, WorkshopPeriodKey
from server.resolvers.tenancy import ImporterRow, WorkshopRow
from server.schema.common import (
    CountMetric,
    DurationMetric,
    GranularityArg,
    MetricInfo,
    Period,
    PeriodInput,
    Trend,
    describe,
    described_enum,
    info,
    resolve_periods,
)
from server.schema.context import Context, Info
from server.schema.metric_values import (
    bucket_draw,
    count_metric,
    duration_metric,
    trend_of,
    values_of,
)
from server.schema.selection import requested
from server.schema.visibility import visible_to

if TYPE_CHECKING:
    from server.schema.tenancy import Workshop

_CONNECTION_COLUMNS = ("throughput", "eligible", "connected")

PROVISIONAL_DAYS = 11
"""A day D is provisional while D > today - 11 (7-day grace + processing/delivery)."""


@strawberry.type(description="The connection rate over one bucket of days, with its parts.")
class ConnectionRatePoint:
    date: date = strawberry.field(description="The bucket's first day within the period.")
    throughput: int = strawberry.field(description="Vehicles that left in the bucket.")
    eligible: int = strawberry.field(description="Of those, the eligible ones.")
    connected: int = strawberry.field(description="Of those, the connected ones.")
    rate: float | None = strawberry.field(description="Connected / eligible; null when 0 eligible.")
    provisional: bool = strawberry.field(
        description="Whether a day of the bucket is still inside the 11-day grace and may change."
    )


@strawberry.type(description=describe("connectionRate"))
class ConnectionRate:
    rate: float | None = strawberry.field(
        description="Connected / eligible over the period; null when nothing was eligible."
    )
    throughput: int = strawberry.field(description=describe("throughput"))
    eligible: int = strawberry.field(description=describe("eligible"))
    connected: int = strawberry.field(description=describe("connected"))
    goal: float | None = strawberry.field(
        description="The goal to compare with (0..1): the workshop's own when exactly one "
        "workshop with a goal is shown, else the importer's; null when none is set."
    )
    trend: Trend = strawberry.field(description="How the rate moved against the previous period.")
    provisional_from: date | None = strawberry.field(
        description="First day of the period whose numbers may still change (vehicles that "
        "left in the last 11 days can still connect); null when none may."
    )
    newest_data_date: date | None = strawberry.field(
        description="The newest day with visit data from the workshop tool system."
    )
    data_age_days: int | None = strawberry.field(
        description="Days from newestDataDate to today; null without any data."
    )
    info: MetricInfo = strawberry.field(description="The metric's info-box.")
    per_day: strawberry.Private[DayRows]
    period: strawberry.Private[DomainPeriod]
    today: strawberry.Private[date]

    @strawberry.field(description="Points per bucket; provisional while any day is.")
    def series(
        self,
        granularity: GranularityArg = DomainGranularity.DAY,
    ) -> list[ConnectionRatePoint]:
        first_provisional = self.today - timedelta(days=PROVISIONAL_DAYS - 1)
        points = []
        for bucket in buckets(self.period, granularity):
            sums = {c: int(self.per_day.total(c, bucket)) for c in _CONNECTION_COLUMNS}
            points.append(
                ConnectionRatePoint(
                    date=bucket.start,
                    throughput=sums["throughput"],
                    eligible=sums["eligible"],
                    connected=sums["connected"],
                    rate=sums["connected"] / sums["eligible"] if sums["eligible"] else None,
                    provisional=bucket.end >= first_provisional,
                )
            )
        return points


@strawberry.type(description=describe("marketingCampaignsSent"))
class CampaignMetric:
    value: int = strawberry.field(description="Campaigns sent in the period.")
    recipients: int = strawberry.field(description="Recipients the campaigns reached in total.")
    trend: Trend = strawberry.field(description="How the campaign count moved.")
    info: MetricInfo = strawberry.field(description="The metric's info-box.")


@strawberry.type(description=describe("workshopActivity"))
class WorkshopActivity:
    workshop: Annotated[Workshop, strawberry.lazy("server.schema.tenancy")] = strawberry.field(
        description="The workshop."
    )
    active_days: int = strawberry.field(
        description="Days of the period on which its staff used the platform."
    )
    active_day_share: float = strawberry.field(
        description="The share of the period's days that were active, a fraction 0..1."
    )
    actions: int = strawberry.field(description="Staff actions in the period.")
    last_active_day: date | None = strawberry.field(
        description="The last day with any activity, up to asOf (before the period too); "
        "null if none."
    )


class WorkshopActivitySort(Enum):
    ACTIVE_DAYS = "ACTIVE_DAYS"
    ACTIONS = "ACTIONS"
    LAST_ACTIVE_DAY = "LAST_ACTIVE_DAY"
    NAME = "NAME"


described_enum(
    WorkshopActivitySort,
    "WorkshopActivitySort",
    "The order of the workshop activity table (ties: by workshop id).",
    {
        "ACTIVE_DAYS": "By active days.",
        "ACTIONS": "By number of actions.",
        "LAST_ACTIVE_DAY": "By the last active day (never active: last).",
        "NAME": "By workshop name.",
    },
)


@dataclass
class _Loaded:
    """The families a dashboard query asked for (None where not requested)."""

    importer: ImporterRow
    workshops: Sequence[WorkshopRow]
    period: DomainPeriod
    previous: DomainPeriod
    today: date
    per_day: DayRows
    distinct: dict[str, DistinctCounts] | None
    newest: list[date | None]
    activity: list[ActivityRow]


IMPORTER_ONLY = visible_to(Role.IMPORTER)


@strawberry.type(description="Activations and Performance of a set of workshops over a period.")
class ActivationsDashboard:
    period: Period = strawberry.field(description="The period shown.")
    previous_period: Period = strawberry.field(description="The period trends compare with.")
    as_of: date = strawberry.field(
        description="The newest day that can be shown: yesterday in the importer's timezone."
    )
    data: strawberry.Private[_Loaded]

    def _count(self, key: str) -> CountMetric:
        return count_metric(key, self.data.per_day, self.data.period, self.data.previous)

    @strawberry.field(description=describe("newActivations"))
    def new_activations(self) -> CountMetric:
        return self._count("newActivations")

    @strawberry.field(description=describe("leadsCreated"))
    def leads_created(self) -> CountMetric:
        return self._count("leadsCreated")

    @strawberry.field(description=describe("chatConversations"))
    def chat_conversations(self) -> CountMetric:
        return self._count("chatConversations")

    @strawberry.field(description=describe("chatMessages"))
    def chat_messages(self) -> CountMetric:
        return self._count("chatMessages")

    @strawberry.field(description=describe("chatFirstResponseTime"))
    def chat_first_response_time(self) -> DurationMetric:
        return duration_metric(
            "chatFirstResponseTime", self.data.per_day, self.data.period, self.data.previous
        )

    @strawberry.field(description=describe("activeStaff"))
    def active_staff(self) -> CountMetric:
        return self._distinct("activeStaff", "staff")

    @strawberry.field(description=describe("appUsers"), metadata=IMPORTER_ONLY)
    def app_users(self) -> CountMetric:
        return self._distinct("appUsers", "app")

    def _distinct(self, key: str, kind: str) -> CountMetric:
        assert self.data.distinct is not None
        counts = self.data.distinct[kind]
        now, before = counts.totals[False], counts.totals[True]
        return CountMetric(
            value=now,
            trend=trend_of(key, now, before),
            info=info(key),
            draw=bucket_draw(counts.buckets, self.data.period, self.data.previous),
        )

    @strawberry.field(description=describe("marketingCampaignsSent"), metadata=IMPORTER_ONLY)
    def marketing_campaigns_sent(self) -> CampaignMetric:
        metric = self._count("marketingCampaignsSent")
        return CampaignMetric(
            value=metric.value,
            recipients=int(self.data.per_day.total("campaign_recipients", self.data.period)),
            trend=metric.trend,
            info=metric.info,
        )

    @strawberry.field(description=describe("connectionRate"))
    def connection_rate(self) -> ConnectionRate:
        return _connection_rate(self.data)

    @strawberry.field(description=describe("workshopActivity"), metadata=IMPORTER_ONLY)
    def workshop_activity(
        self,
        sort_by: Annotated[
            WorkshopActivitySort, strawberry.argument(description="The column to sort by.")
        ] = WorkshopActivitySort.ACTIVE_DAYS,
        descending: Annotated[
            bool, strawberry.argument(description="Largest (or latest, or Z) first.")
        ] = True,
    ) -> list[WorkshopActivity]:
        return _workshop_activity(self.data, sort_by, descending)


def _connection_rate(data: _Loaded) -> ConnectionRate:
    now, before = values_of("connectionRate", data.per_day, data.period, data.previous)
    sums = {c: int(data.per_day.total(c, data.period)) for c in _CONNECTION_COLUMNS}
    goal = data.importer.connection_rate_goal
    if len(data.workshops) == 1 and data.workshops[0].connection_rate_goal is not None:
        goal = data.workshops[0].connection_rate_goal
    first_provisional = data.today - timedelta(days=PROVISIONAL_DAYS - 1)
    newest = max((d for d in data.newest if d is not None), default=None)
    return ConnectionRate(
        rate=now,
        throughput=sums["throughput"],
        eligible=sums["eligible"],
        connected=sums["connected"],
        goal=goal,
        trend=trend_of("connectionRate", now, before),
        provisional_from=max(data.period.start, first_provisional)
        if first_provisional <= data.period.end
        else None,
        newest_data_date=newest,
        data_age_days=(data.today - newest).days if newest else None,
        info=info("connectionRate"),
        per_day=data.per_day,
        period=data.period,
        today=data.today,
    )


def _workshop_activity(
    data: _Loaded, sort_by: WorkshopActivitySort, descending: bool
) -> list[WorkshopActivity]:
    from server.schema.tenancy import Workshop

    rows = [
        WorkshopActivity(
            workshop=Workshop.of(w),
            active_days=a.active_days,
            active_day_share=a.active_days / data.period.days,
            actions=a.actions,
            last_active_day=a.last_active_day,
        )
        for w, a in zip(data.workshops, data.activity, strict=True)
    ]
    keys = {
        WorkshopActivitySort.ACTIVE_DAYS: lambda r: (r.active_days, r.actions),
        WorkshopActivitySort.ACTIONS: lambda r: (r.actions, r.active_days),
        WorkshopActivitySort.LAST_ACTIVE_DAY: lambda r: (r.last_active_day or date.min,),
        WorkshopActivitySort.NAME: lambda r: (r.workshop.name.lower(),),
    }
    rows.sort(key=lambda r: r.workshop.id)
    rows.sort(key=keys[sort_by], reverse=descending)
    return rows


_METRICS = sources.keys_of(DashboardKind.ACTIVATIONS)
_COMPUTED_BY = {"workshopActivity": "activity"}
"""The metrics without a formula, and the loader that computes each."""
_DATA_AGE_FIELDS = {"newestDataDate", "dataAgeDays"}

sources.check_claimed(DashboardKind.ACTIVATIONS, _COMPUTED_BY, [DAY_COLUMNS])


@dataclass(frozen=True)
class DashboardPlan:
    """What every dashboard of one field and argument set needs: worked out once
    per request, not once per workshop of a list."""

    period: DomainPeriod
    previous: DomainPeriod
    today: date
    with_days: bool
    day_rows: bool
    distinct: bool
    newest: bool
    activity: bool


async def dashboard_plan(info_: Info, period_input: PeriodInput) -> DashboardPlan:
    ctx: Context = info_.context
    # the same field nodes (one field of a list, every item) and the same argument
    memo_key = (tuple(id(n) for n in info_._raw_info.field_nodes), repr(period_input))
    found = ctx.memo.get(memo_key)
    if isinstance(found, DashboardPlan):
        return found
    today = await ctx.today()
    period, previous = resolve_periods(period_input, today - timedelta(days=1))
    keys = requested(info_) & _METRICS
    below = requested(info_, deep=True)
    plan = DashboardPlan(
        period=period,
        previous=previous,
        today=today,
        with_days=bool(below & {"series", "previousSeries"}),
        day_rows=bool(sources.columns_of(keys)),
        distinct=bool(sources.distinct_kinds_of(keys)),
        newest=bool(below & _DATA_AGE_FIELDS),
        activity="activity" in sources.families_of(keys, _COMPUTED_BY),
    )
    ctx.memo[memo_key] = plan
    return plan


async def build_dashboard(
    info_: Info, workshops: Sequence[WorkshopRow], period_input: PeriodInput
) -> ActivationsDashboard:
    """Resolve the period, load only the requested families (batched with every
    other dashboard of this request), and return a plain, prepared object."""
    return (await build_dashboards(info_, [workshops], period_input))[0]


async def build_dashboards(
    info_: Info, scopes: Sequence[Sequence[WorkshopRow]], period_input: PeriodInput
) -> list[ActivationsDashboard]:
    """One dashboard per scope (a set of workshops), all from one plan and one
    round of loads: a list of N dashboards costs one call, not N."""
    ctx: Context = info_.context
    importer = await ctx.importer()
    plan = await dashboard_plan(info_, period_input)
    period, previous, today = plan.period, plan.previous, plan.today
    loaders = ctx.loaders
    # futures only (no task per family and dashboard: lists hold thousands)
    pending: dict[str, Awaitable[Any]] = {}
    if plan.day_rows or plan.distinct:
        keys = [
            ScopeKey(importer.id, tuple(sorted(w.id for w in ws)), period, previous, plan.with_days)
            for ws in scopes
        ]
        if plan.day_rows:
            pending["per_day"] = loaders.day_rows.load_many(keys)
        if plan.distinct:
            pending["distinct"] = loaders.distinct.load_many(keys)
    if plan.newest:
        pending["newest"] = loaders.newest.load_many(
            [(importer.id, w.id) for ws in scopes for w in ws]
        )
    if plan.activity:
        pending["activity"] = loaders.activity.load_many(
            [WorkshopPeriodKey(importer.id, w.id, period) for ws in scopes for w in ws]
        )
    loaded = dict(zip(pending, await asyncio.gather(*pending.values()), strict=True))
    per_day: Sequence[DayRows] | None = loaded.get("per_day")
    distinct: Sequence[dict[str, DistinctCounts]] | None = loaded.get("distinct")
    newest: Sequence[date | None] = loaded.get("newest", [])
    activity: Sequence[ActivityRow] = loaded.get("activity", [])
    shown, compared, as_of = Period.of(period), Period.of(previous), today - timedelta(days=1)
    dashboards = []
    first = 0  # where this scope's workshops start in the flat newest/activity lists
    for n, workshops in enumerate(scopes):
        last = first + len(workshops)
        dashboards.append(
            ActivationsDashboard(
                period=shown,
                previous_period=compared,
                as_of=as_of,
                data=_Loaded(
                    importer,
                    workshops,
                    period,
                    previous,
                    today,
                    per_day[n] if per_day is not None else _NO_DAYS,
                    distinct[n] if distinct is not None else None,
                    list(newest[first:last]),
                    list(activity[first:last]),
                ),
            )
        )
        first = last
    return dashboards


_NO_DAYS = DayTable(DAY_COLUMNS)
