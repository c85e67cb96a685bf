"""The root types: queries and mutations of the foundation and the Activations
dashboard. Partner and ingest fields live in their own modules and are merged
into the root types in server.schema.build."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from server.auth.principal import Role
from server.errors import BadUserInput, NotFound
from server.metrics import catalog
from server.metrics.definition import DashboardKind as DomainDashboardKind
from server.resolvers import goals, saved_filters
from server.resolvers.loaders import PageKey
from server.schema.activations import ActivationsDashboard, build_dashboard
from server.schema.common import DashboardKind, MetricInfo, PeriodInput
from server.schema.connection import (
    After,
    Before,
    First,
    Last,
    PageInfo,
    PageRequest,
    encode_cursor,
)
from server.schema.context import Info
from server.schema.saved_filters import (
    SavedActivationsFiltersInput,
    SavedPartnerFiltersInput,
    filters_json,
    validate_filters,
)
from server.schema.tenancy import Importer, Me, Workshop, WorkshopConnection, WorkshopEdge
from server.schema.visibility import DASHBOARD_ROLES, READER_ROLES, visible_to

_WorkshopId = Annotated[strawberry.ID, strawberry.argument(description="The workshop's id.")]
_Dashboard = Annotated[DashboardKind, strawberry.argument(description="Which dashboard.")]

_DASHBOARDS_BY_ROLE = {
    Role.IMPORTER: {DomainDashboardKind.ACTIVATIONS, DomainDashboardKind.PARTNER},
    Role.WORKSHOP: {DomainDashboardKind.ACTIVATIONS},
    Role.PARTNER_MANAGER: {DomainDashboardKind.PARTNER},
    Role.SALES_PARTNER: {DomainDashboardKind.PARTNER},
    Role.INTEGRATION: set(),
}


@strawberry.type(description="A connection-rate goal after a change.")
class ConnectionRateGoal:
    workshop: Workshop | None = strawberry.field(
        description="The workshop whose goal changed; null when the importer default did."
    )
    goal: float | None = strawberry.field(description="The goal now set (null: cleared).")
    importer_goal: float | None = strawberry.field(
        description="The importer's default goal, which applies where a workshop has none."
    )


def _one_filters(
    dashboard: DomainDashboardKind,
    filters: JSON | None,
    activations: SavedActivationsFiltersInput | None,
    partner: SavedPartnerFiltersInput | None,
) -> object:
    """The filters to keep, from exactly one of the three arguments."""
    given = [name for name, value in _named(filters, activations, partner) if value is not None]
    if len(given) != 1:
        raise BadUserInput(
            "give exactly one of activations (dashboard ACTIVATIONS), partner (dashboard "
            f"PARTNER) or the deprecated filters; got {given or 'none'}"
        )
    if activations is not None:
        if dashboard is not DomainDashboardKind.ACTIVATIONS:
            raise BadUserInput(f"activations filters need dashboard ACTIVATIONS, not {dashboard}")
        return filters_json(activations)
    if partner is not None:
        if dashboard is not DomainDashboardKind.PARTNER:
            raise BadUserInput(f"partner filters need dashboard PARTNER, not {dashboard}")
        return filters_json(partner)
    return filters


def _named(*values: object) -> list[tuple[str, object]]:
    return list(zip(("filters", "activations", "partner"), values, strict=True))


def _check_dashboard_allowed(info_: Info, dashboard: DomainDashboardKind) -> None:
    if dashboard not in _DASHBOARDS_BY_ROLE[info_.context.principal.role]:
        raise BadUserInput(f"dashboard {dashboard.value} is not available to this role")


@strawberry.type(description="What a principal can read.")
class CoreQuery:
    @strawberry.field(description="The caller, as its token says.")
    def me(self, info: Info) -> Me:
        return Me.of(info.context.principal)

    @strawberry.field(description="The caller's importer.", metadata=visible_to(READER_ROLES))
    async def importer(self, info: Info) -> Importer:
        return Importer.of(await info.context.importer())

    @strawberry.field(
        description="One workshop in the caller's scope (NOT_FOUND otherwise).",
        metadata=visible_to(DASHBOARD_ROLES),
    )
    async def workshop(self, info: Info, id: _WorkshopId) -> Workshop:
        (row,) = await info.context.workshops_in_scope([str(id)])
        return Workshop.of(row)

    @strawberry.field(
        description="The workshops in the caller's scope, by id; search matches id, name, city.",
        metadata=visible_to(DASHBOARD_ROLES),
    )
    async def workshops(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Case-insensitive part of the id, name or city."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> WorkshopConnection:
        request = PageRequest.of("workshop", first, after, last, before)
        ctx = info.context
        importer = await ctx.importer()
        allowed = ctx.workshop_refs_allowed
        page = await ctx.loaders.workshop_page.load(
            PageKey(
                importer.id,
                only=None if allowed is None else tuple(allowed),
                search=search,
                first=request.first,
                after=request.after,
                last=request.last,
                before=request.before,
            )
        )
        edges = [WorkshopEdge(node=Workshop.of(r)) for r in page.rows]
        ends = [r.ref for r in page.rows[:1] + page.rows[1:][-1:]]
        return WorkshopConnection(
            total_count=page.total,
            edges=edges,
            page_info=PageInfo.of(
                [encode_cursor("workshop", ref) for ref in ends],
                has_next=page.has_next,
                has_previous=page.has_previous,
            ),
        )

    @strawberry.field(
        description="The dashboard over a set of workshops (omitted: all the caller may see). "
        "An id outside the caller's scope answers NOT_FOUND.",
        metadata=visible_to(DASHBOARD_ROLES),
    )
    async def activations_dashboard(
        self,
        info: Info,
        period: Annotated[PeriodInput, strawberry.argument(description="The period to show.")],
        workshop_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="The workshops to add up (omitted: all in scope)."),
        ] = None,
    ) -> ActivationsDashboard:
        refs = None if workshop_ids is None else [str(w) for w in workshop_ids]
        workshops = await info.context.workshops_in_scope(refs)
        return await build_dashboard(info, workshops, period)

    @strawberry.field(
        description="Info-box texts of every metric the caller may see.",
        metadata=visible_to(READER_ROLES),
    )
    def metric_catalog(self, info: Info) -> list[MetricInfo]:
        role = info.context.principal.role
        entries = catalog.visible_metrics(
            importer_only_allowed=role is Role.IMPORTER, dashboards=_DASHBOARDS_BY_ROLE[role]
        )
        return [MetricInfo.of(e) for e in entries]  # (the parameter `info` shadows common.info)

    @strawberry.field(
        description="The filters this user kept for a dashboard; null when none. "
        "Kept filters that no longer parse answer BAD_USER_INPUT with them attached.",
        metadata=visible_to(READER_ROLES),
    )
    async def saved_filters(self, info: Info, dashboard: _Dashboard) -> JSON | None:
        _check_dashboard_allowed(info, dashboard)
        ctx = info.context
        importer = await ctx.importer()
        stored = await saved_filters.load_filters(
            ctx.engine, importer.id, ctx.principal.sub, dashboard.value
        )
        if stored is None:
            return None
        try:
            await validate_filters(ctx, dashboard, stored)
        except (BadUserInput, NotFound) as exc:
            raise BadUserInput(
                f"the kept {dashboard.value} filters no longer apply: {exc.message}; save new ones",
                extensions={"savedFilters": stored},
            ) from None
        return cast(JSON, stored)


@strawberry.type(description="What a principal can change.")
class CoreMutation:
    @strawberry.mutation(
        description="Set a workshop's connection-rate goal (0..1), or the importer default "
        "without workshopId; a null goal clears it.",
        metadata=visible_to(Role.IMPORTER),
    )
    async def set_connection_rate_goal(
        self,
        info: Info,
        goal: Annotated[
            float | None,
            strawberry.argument(description="The goal as a fraction 0..1; null clears it."),
        ],
        workshop_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The workshop (omitted: the importer default)."),
        ] = None,
    ) -> ConnectionRateGoal:
        if goal is not None and not 0.0 <= goal <= 1.0:
            raise BadUserInput(f"goal must be a fraction between 0 and 1 (got {goal}); 0.6 = 60 %")
        ctx = info.context
        importer = await ctx.importer()
        if workshop_id is None:
            await goals.set_importer_goal(ctx.engine, importer.id, goal)
            return ConnectionRateGoal(workshop=None, goal=goal, importer_goal=goal)
        (row,) = await ctx.workshops_in_scope([str(workshop_id)])
        await goals.set_workshop_goal(ctx.engine, importer.id, row.id, goal)
        updated = dataclasses.replace(row, connection_rate_goal=goal)
        return ConnectionRateGoal(
            workshop=Workshop.of(updated), goal=goal, importer_goal=importer.connection_rate_goal
        )

    @strawberry.mutation(
        description="Keep this user's filters for a dashboard for the next time.",
        metadata=visible_to(READER_ROLES),
    )
    async def save_filters(
        self,
        info: Info,
        dashboard: _Dashboard,
        filters: Annotated[
            JSON | None,
            strawberry.argument(
                description="The filters as a JSON object: for ACTIVATIONS the keys period and "
                "workshopIds, for PARTNER period, source, exclusivity, marketplaceId and "
                "partnerId, with the values the dashboard arguments take.",
                deprecation_reason="Use activations or partner, which the schema validates.",
            ),
        ] = None,
        activations: Annotated[
            SavedActivationsFiltersInput | None,
            strawberry.argument(description="The filters to keep, with dashboard ACTIVATIONS."),
        ] = None,
        partner: Annotated[
            SavedPartnerFiltersInput | None,
            strawberry.argument(description="The filters to keep, with dashboard PARTNER."),
        ] = None,
    ) -> JSON:
        _check_dashboard_allowed(info, dashboard)
        ctx = info.context
        chosen = _one_filters(dashboard, filters, activations, partner)
        await validate_filters(ctx, dashboard, chosen)
        importer = await ctx.importer()
        stored: dict[str, Any] = dict(cast(dict[str, Any], chosen))
        await saved_filters.store_filters(
            ctx.engine, importer.id, ctx.principal.sub, dashboard.value, stored
        )
        return cast(JSON, stored)
