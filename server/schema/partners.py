"""Sales partners and their dashboard: the types, how a dashboard is put together
from its loaded rollup families, and the root fields (``salesPartner``,
``salesPartners``), which exist only in the partner roles' schemas."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

import strawberry

from server.auth.principal import Principal, Role
from server.errors import NotFound
from server.metrics import sources
from server.metrics.daytable import DayTable
from server.metrics.definition import DashboardKind
from server.metrics.formulas import Sum
from server.metrics.periods import Period as DomainPeriod
from server.reports.links import filter_params, report_path, signed_report_query
from server.resolvers import tenancy
from server.resolvers.activations import DayRows
from server.resolvers.partner_loaders import PartnerKey, PipelineKey
from server.resolvers.partners import (
    COHORT_COLUMNS,
    OFFER_COLUMNS,
    OUTFLOW,
    SILENT,
    LeadFilter,
    OutflowRows,
    PipelineRow,
    Window,
)
from server.resolvers.tenancy import PartnerRow
from server.schema.common import (
    CountMetric,
    DurationMetric,
    Exclusivity,
    LeadSource,
    MetricInfo,
    Period,
    PeriodInput,
    RateMetric,
    Trend,
    describe,
    info,
    ready,
    resolve_periods,
)
from server.schema.connection import (
    After,
    Before,
    First,
    Last,
    PageInfo,
    PageRequest,
    encode_cursor,
    slice_page,
)
from server.schema.context import Context, Info
from server.schema.metric_values import (
    count_metric,
    duration_metric,
    formula_draw,
    rate_metric,
    trend_of,
    values_of,
)
from server.schema.selection import requested
from server.schema.tenancy import Workshop
from server.schema.visibility import PARTNER_ROLES, visible_to


@strawberry.input(description="Which leads a partner dashboard counts, over which period.")
class PartnerFilterInput:
    period: PeriodInput = strawberry.field(description="The period to show.")
    source: LeadSource = strawberry.field(
        default=LeadSource.ALL, description="Only leads from this source (default: all)."
    )
    exclusivity: Exclusivity = strawberry.field(
        default=Exclusivity.ALL, description="Only exclusive or shared leads (default: all)."
    )
    marketplace_id: strawberry.ID | None = strawberry.field(
        default=None, description="One marketplace by id (omitted: all)."
    )


@dataclass(frozen=True)
class _Days:
    """One rollup family's per-day components over both periods."""

    per_day: DayRows
    current: DomainPeriod
    previous: DomainPeriod

    def count(self, key: str) -> CountMetric:
        return count_metric(key, self.per_day, self.current, self.previous)

    def rate(self, key: str) -> RateMetric:
        return rate_metric(key, self.per_day, self.current, self.previous)

    def duration(self, key: str) -> DurationMetric:
        return duration_metric(key, self.per_day, self.current, self.previous)


@strawberry.type(description="The partner's current state: ignores the period and filters.")
class Pipeline:
    open_leads: int = strawberry.field(description=describe("openLeads"))
    overdue_leads: int = strawberry.field(description=describe("overdueLeads"))
    total_leads_received: int = strawberry.field(description=describe("totalLeadsReceived"))
    partner_since: date = strawberry.field(description=describe("partnerSince"))


@strawberry.type(description="How the partner answers the offers it receives.")
class LeadPick:
    days: strawberry.Private[_Days]

    @strawberry.field(description=describe("offersReceived"))
    def offers_received(self) -> CountMetric:
        return self.days.count("offersReceived")

    @strawberry.field(description=describe("accepted"))
    def accepted(self) -> CountMetric:
        return self.days.count("accepted")

    @strawberry.field(description=describe("declined"))
    def declined(self) -> CountMetric:
        return self.days.count("declined")

    @strawberry.field(description=describe("expired"))
    def expired(self) -> CountMetric:
        return self.days.count("expired")

    @strawberry.field(description=describe("pickRate"))
    def pick_rate(self) -> RateMetric:
        return self.days.rate("pickRate")

    @strawberry.field(description=describe("timeToAccept"))
    def time_to_accept(self) -> DurationMetric:
        return self.days.duration("timeToAccept")

    @strawberry.field(description=describe("timeToDecline"))
    def time_to_decline(self) -> DurationMetric:
        return self.days.duration("timeToDecline")


@strawberry.type(description="How the partner reports back on the leads it accepted.")
class Feedback:
    cohort: strawberry.Private[_Days]
    silent: strawberry.Private[_Days]

    @strawberry.field(description=describe("feedbackRate"))
    def feedback_rate(self) -> RateMetric:
        return self.cohort.rate("feedbackRate")

    @strawberry.field(description=describe("timeToFirstFeedback"))
    def time_to_first_feedback(self) -> DurationMetric:
        return self.cohort.duration("timeToFirstFeedback")

    @strawberry.field(
        description=describe("silentLeads") + " Series: by the day the lead was accepted."
    )
    def silent_leads(self) -> CountMetric:
        # silent leads depend on today, so the catalog gives them no rollup formula
        days, formula = self.silent, Sum(SILENT)
        now = formula.evaluate(days.per_day.totals(days.current))
        before = formula.evaluate(days.per_day.totals(days.previous))
        return CountMetric(
            value=int(now or 0),
            trend=trend_of("silentLeads", now, before),
            info=info("silentLeads"),
            draw=formula_draw(formula, days.per_day, days.current, days.previous),
        )


@strawberry.type(description="What became of the leads the partner accepted in the period.")
class Conversion:
    cohort: strawberry.Private[_Days]

    @strawberry.field(description=describe("won"))
    def won(self) -> CountMetric:
        return self.cohort.count("won")

    @strawberry.field(description=describe("lost"))
    def lost(self) -> CountMetric:
        return self.cohort.count("lost")

    @strawberry.field(description=describe("conversionRate"))
    def conversion_rate(self) -> RateMetric:
        return self.cohort.rate("conversionRate")


@strawberry.type(description="How fast the partner works the leads it accepted in the period.")
class ProcessingSpeed:
    cohort: strawberry.Private[_Days]

    @strawberry.field(description=describe("timeToFirstContact"))
    def time_to_first_contact(self) -> DurationMetric:
        return self.cohort.duration("timeToFirstContact")

    @strawberry.field(description=describe("salesCycle"))
    def sales_cycle(self) -> DurationMetric:
        return self.cohort.duration("salesCycle")


@strawberry.type(
    description="A partner that received outflow. For a sales partner's own view the "
    "competitors are anonymised: id 'competitor-N' and name 'Competitor N', N the rank."
)
class OutflowPartner:
    id: strawberry.ID = strawberry.field(description="The partner's id, or competitor-N.")
    name: str = strawberry.field(description="The partner's name, or Competitor N.")


@strawberry.type(description="Leads of this partner's market that another partner received.")
class OutflowEntry:
    partner: OutflowPartner = strawberry.field(description="The receiving partner.")
    count: int = strawberry.field(description="How many leads it received in the period.")


@strawberry.type(description=describe("outflow"))
class Outflow:
    rows: strawberry.Private[OutflowRows]
    days: strawberry.Private[_Days]
    named: strawberry.Private[bool]

    @strawberry.field(description="Leads let go to other partners, with trend and series.")
    def total(self) -> CountMetric:
        return self.days.count("outflow")

    @strawberry.field(description="Per receiving partner in the period, largest first.")
    def by_partner(self) -> list[OutflowEntry]:
        ranked = sorted(self.rows.by_receiver.items(), key=lambda item: (-item[1], item[0].ref))
        return [
            OutflowEntry(partner=self._partner(rank, r.ref, r.name), count=leads)
            for rank, (r, leads) in enumerate(ranked, start=1)
        ]

    def _partner(self, rank: int, ref: str, name: str) -> OutflowPartner:
        if self.named:
            return OutflowPartner(id=strawberry.ID(ref), name=name)
        return OutflowPartner(id=strawberry.ID(f"competitor-{rank}"), name=f"Competitor {rank}")


@strawberry.type(
    description="A mean rating 1..5; null and not enabled when the importer has it off."
)
class RatingMetric:
    enabled: bool = strawberry.field(description="Whether the importer has this rating on.")
    value: float | None = strawberry.field(
        description="The mean rating 1..5; null when disabled or nothing was rated."
    )
    trend: Trend = strawberry.field(description="How the mean moved against the previous period.")
    info: MetricInfo = strawberry.field(description="The metric's info-box.")


@strawberry.type(description="Ratings on the leads the partner accepted in the period.")
class Satisfaction:
    cohort: strawberry.Private[_Days]
    lead_rating_enabled: strawberry.Private[bool]
    customer_rating_enabled: strawberry.Private[bool]

    @strawberry.field(description=describe("leadRating"))
    def lead_rating(self) -> RatingMetric:
        return self._rating("leadRating", self.lead_rating_enabled)

    @strawberry.field(description=describe("customerRating"))
    def customer_rating(self) -> RatingMetric:
        return self._rating("customerRating", self.customer_rating_enabled)

    def _rating(self, key: str, enabled: bool) -> RatingMetric:
        days = self.cohort
        now, before = values_of(key, days.per_day, days.current, days.previous)
        if not enabled:  # the data may exist; a disabled rating shows none of it
            now = before = None
        return RatingMetric(
            enabled=enabled, value=now, trend=trend_of(key, now, before), info=info(key)
        )


@dataclass(frozen=True)
class _Loaded:
    """The families a dashboard query asked for (empty where not requested)."""

    partner: PartnerRow
    pipeline: PipelineRow | None
    offers: _Days
    cohort: _Days
    silent: _Days
    outflow: OutflowRows
    outflow_days: _Days
    named_outflow: bool
    lead_rating_enabled: bool
    customer_rating_enabled: bool


@strawberry.type(description="A sales partner's dashboard over a period, under lead filters.")
class PartnerDashboard:
    period: Period = strawberry.field(description="The period shown.")
    previous_period: Period = strawberry.field(description="The period trends compare with.")
    as_of: date = strawberry.field(
        description="The newest day that can be shown: yesterday in the importer's timezone."
    )
    data: strawberry.Private[_Loaded]
    report_filters: strawberry.Private[dict[str, str]]

    @strawberry.field(
        description="This dashboard as a print-ready PDF (same partner and filters): a link a"
        " browser can open without a token, signed for the caller, valid for a few minutes"
        " (5 by default). Ask again for a fresh one."
    )
    def report_url(self, info: Info) -> str:
        ctx = info.context
        ref = self.data.partner.ref
        query = signed_report_query(ctx.settings, ctx.principal, ref, self.report_filters)
        base = str(ctx.request.base_url).rstrip("/") if ctx.request is not None else ""
        return f"{base}{report_path(ref)}?{query}"

    @strawberry.field(description="The current pipeline: ignores the period and filters.")
    def pipeline(self) -> Pipeline:
        # None: the card was asked for without any of its figures (``__typename``);
        # every figure asked for below the dashboard loads the row
        row = self.data.pipeline or PipelineRow(0, 0, 0)
        return Pipeline(
            open_leads=row.open_leads,
            overdue_leads=row.overdue_leads,
            total_leads_received=row.total_leads_received,
            partner_since=self.data.partner.partner_since,
        )

    @strawberry.field(description="Offers received and how the partner answered them.")
    def lead_pick(self) -> LeadPick:
        return LeadPick(days=self.data.offers)

    @strawberry.field(description="Feedback on the leads accepted in the period.")
    def feedback(self) -> Feedback:
        return Feedback(cohort=self.data.cohort, silent=self.data.silent)

    @strawberry.field(description="Won and lost among the leads accepted in the period.")
    def conversion(self) -> Conversion:
        return Conversion(cohort=self.data.cohort)

    @strawberry.field(description="How fast the leads accepted in the period were worked.")
    def processing_speed(self) -> ProcessingSpeed:
        return ProcessingSpeed(cohort=self.data.cohort)

    @strawberry.field(description="Leads that went to other partners.")
    def outflow(self) -> Outflow:
        data = self.data
        return Outflow(rows=data.outflow, days=data.outflow_days, named=data.named_outflow)

    @strawberry.field(description="Lead and customer ratings of the leads accepted in the period.")
    def satisfaction(self) -> Satisfaction:
        return Satisfaction(
            cohort=self.data.cohort,
            lead_rating_enabled=self.data.lead_rating_enabled,
            customer_rating_enabled=self.data.customer_rating_enabled,
        )


_METRICS = sources.keys_of(DashboardKind.PARTNER)
_COMPUTED_BY = {
    "openLeads": "pipeline",
    "overdueLeads": "pipeline",
    "totalLeadsReceived": "pipeline",
    "partnerSince": "pipeline",
    "silentLeads": "silent",
}
"""The metrics without a formula, and the loader that computes each."""
sources.check_claimed(
    DashboardKind.PARTNER, _COMPUTED_BY, [OFFER_COLUMNS, COHORT_COLUMNS, (OUTFLOW,)]
)


async def _lead_filter(ctx: Context, importer_id: int, filter_: PartnerFilterInput) -> LeadFilter:
    marketplace_id = None
    if filter_.marketplace_id is not None:
        ref = str(filter_.marketplace_id)
        marketplace_id = await ctx.loaders.partners.marketplace.load((importer_id, ref))
        if marketplace_id is None:
            raise NotFound.of("marketplace", ref)
    return LeadFilter(filter_.source.value, filter_.exclusivity.value, marketplace_id)


async def build_partner_dashboard(
    info_: Info, partner: PartnerRow, filter_: PartnerFilterInput
) -> PartnerDashboard:
    """Resolve the period and filters, load only the requested families (batched
    with every other partner dashboard of this request), and return a plain,
    prepared object."""
    ctx: Context = info_.context
    importer = await ctx.importer()
    today = await ctx.today()
    as_of = today - timedelta(days=1)
    period, previous = resolve_periods(filter_.period, as_of)
    lead_filter = await _lead_filter(ctx, importer.id, filter_)
    draws_series = bool(requested(info_, deep=True) & {"series", "previousSeries"})
    window = Window(importer.id, lead_filter, period, previous, draws_series)
    key = PartnerKey(partner.id, window, today)
    due_before = today - timedelta(days=importer.lead_due_days)
    # every metric below the dashboard (its cards hold them), whatever card it is in
    keys = requested(info_, deep=True) & _METRICS
    columns, computed = sources.columns_of(keys), sources.families_of(keys, _COMPUTED_BY)
    loaders = ctx.loaders.partners
    pipeline, offers, cohort, silent, outflow = await asyncio.gather(
        loaders.pipeline.load(PipelineKey(importer.id, partner.id, due_before))
        if "pipeline" in computed
        else ready(None),
        loaders.offers.load(key) if columns & set(OFFER_COLUMNS) else ready(DayTable(())),
        loaders.cohort.load(key) if columns & set(COHORT_COLUMNS) else ready(DayTable(())),
        loaders.silent.load(key) if "silent" in computed else ready(DayTable(())),
        loaders.outflow.load(key) if OUTFLOW in columns else ready(OutflowRows()),
    )
    return PartnerDashboard(
        period=Period.of(period),
        previous_period=Period.of(previous),
        as_of=as_of,
        report_filters=filter_params(filter_),
        data=_Loaded(
            partner=partner,
            pipeline=pipeline,
            offers=_Days(offers, period, previous),
            cohort=_Days(cohort, period, previous),
            silent=_Days(silent, period, previous),
            outflow=outflow,
            outflow_days=_Days(outflow.per_day, period, previous),
            named_outflow=ctx.principal.sees_competitor_names,
            lead_rating_enabled=importer.lead_rating_enabled,
            customer_rating_enabled=importer.customer_rating_enabled,
        ),
    )


@strawberry.type(description="A dealer receiving sales leads from the importer.")
class SalesPartner:
    id: strawberry.ID = strawberry.field(description="The partner's reference (partner_ref).")
    name: str = strawberry.field(description="Display name.")
    partner_since: date = strawberry.field(description=describe("partnerSince"))
    row: strawberry.Private[PartnerRow]

    @classmethod
    def of(cls, row: PartnerRow) -> SalesPartner:
        return cls(
            id=strawberry.ID(row.ref), name=row.name, partner_since=row.partner_since, row=row
        )

    @strawberry.field(description="The workshop this partner also is, if any.")
    async def workshop(self, info: Info) -> Workshop | None:
        if self.row.workshop_id is None:
            return None
        importer = await info.context.importer()
        row = await info.context.loaders.partners.workshop.load((importer.id, self.row.workshop_id))
        return Workshop.of(row) if row else None

    @strawberry.field(description="This partner's dashboard under the given period and filters.")
    async def dashboard(
        self,
        info: Info,
        filter: Annotated[
            PartnerFilterInput, strawberry.argument(description="Period and lead filters.")
        ],
    ) -> PartnerDashboard:
        return await build_partner_dashboard(info, self.row, filter)


@strawberry.type(description="A sales partner in a page of sales partners.")
class SalesPartnerEdge:
    cursor: str = strawberry.field(description="Pass as after (or before) to page from here.")
    node: SalesPartner = strawberry.field(description="The sales partner.")


@strawberry.type(description="One page of sales partners, ordered by id.")
class SalesPartnerConnection:
    total_count: int = strawberry.field(
        description="How many sales partners match, over all pages."
    )
    edges: list[SalesPartnerEdge] = strawberry.field(
        description="The page's sales partners with cursors."
    )
    page_info: PageInfo = strawberry.field(description="Where this page lies.")

    @strawberry.field(description="The page's sales partners, without cursors.")
    def nodes(self) -> list[SalesPartner]:
        return [e.node for e in self.edges]


def _visible_refs(principal: Principal, ref: str | None) -> list[str] | None:
    """None: every partner of the importer; else only these refs (maybe none)."""
    if principal.role in (Role.IMPORTER, Role.PARTNER_MANAGER):
        return None if ref is None else [ref]
    own = principal.partner
    if principal.role is Role.SALES_PARTNER and own is not None and ref in (None, own):
        return [own]
    return []


async def partners_in_scope(ctx: Context, ref: str | None = None) -> list[PartnerRow]:
    """The partners the principal may see (all, or the one with ``ref``), by ref.

    A sales partner sees only itself: another partner's ref answers exactly like
    a missing one (NOT_FOUND), so nothing confirms that it exists.
    """
    importer = await ctx.importer()
    refs = _visible_refs(ctx.principal, ref)
    if refs is None:
        return await tenancy.partners_where(ctx.engine, importer.id)
    found = await ctx.loaders.partner_by_ref.load_many([(importer.id, r) for r in refs])
    rows = [row for row in found if row is not None]
    if ref is not None and not rows:
        raise NotFound.of("salesPartner", ref)
    return rows


@strawberry.type(description="The partner roles' root fields.")
class PartnerQuery:
    @strawberry.field(
        description="One sales partner in the caller's scope (NOT_FOUND otherwise).",
        metadata=visible_to(PARTNER_ROLES),
    )
    async def sales_partner(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The partner's id.")],
    ) -> SalesPartner | None:
        (row,) = await partners_in_scope(info.context, str(id))
        return SalesPartner.of(row)

    @strawberry.field(
        description="The sales partners in the caller's scope (a sales partner: only itself), "
        "a page at a time, by id; search matches id and name.",
        metadata=visible_to(PARTNER_ROLES),
    )
    async def sales_partners(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Case-insensitive part of the id or name."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> SalesPartnerConnection:
        request = PageRequest.of("salesPartner", first, after, last, before)
        rows = await partners_in_scope(info.context)
        if search:
            needle = search.lower()
            rows = [r for r in rows if needle in r.ref.lower() or needle in r.name.lower()]
        page = slice_page(rows, lambda r: r.ref, request)
        edges = [
            SalesPartnerEdge(cursor=encode_cursor("salesPartner", r.ref), node=SalesPartner.of(r))
            for r in page.items
        ]
        return SalesPartnerConnection(
            total_count=len(rows),
            edges=edges,
            page_info=PageInfo.of(
                [e.cursor for e in edges], has_next=page.has_next, has_previous=page.has_previous
            ),
        )
