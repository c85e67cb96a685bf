"""Who and what a principal can see: itself, its importer, workshops, partners."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry

from server.auth.principal import Principal as DomainPrincipal
from server.auth.principal import Role
from server.resolvers.tenancy import ImporterRow, WorkshopRow
from server.schema.activations import ActivationsDashboard, build_dashboard, build_dashboards
from server.schema.batching import Selection, batched_by
from server.schema.common import PeriodInput
from server.schema.connection import PageInfo, encode_cursor
from server.schema.context import Info
from server.schema.dashboard_columns import dashboard_columns
from server.schema.visibility import DASHBOARD_ROLES, visible_to


async def _dashboard_columns(
    info: Info, workshops: Sequence[Workshop], selection: Selection, period: PeriodInput
) -> list[Any] | None:
    """``Workshop.dashboard`` for every workshop of a list, completed from columns."""
    return await dashboard_columns(info, [w.row for w in workshops], selection, period)


async def _dashboards(
    info: Info, workshops: Sequence[Workshop], period: PeriodInput
) -> list[ActivationsDashboard]:
    """``Workshop.dashboard`` for every workshop of a list in one call."""
    return await build_dashboards(info, [[w.row] for w in workshops], period)


@strawberry.type(name="Principal", description="The caller, as its token says.")
class Me:
    sub: str = strawberry.field(description="The user or system the token was issued to.")
    role: str = strawberry.field(
        description="One of importer, workshop, partner_manager, sales_partner, integration."
    )
    importer: str = strawberry.field(description="The id of the importer the token is for.")
    workshops: list[str] | None = strawberry.field(
        description="For the workshop role: the workshop ids it may see; else null."
    )
    partner: str | None = strawberry.field(
        description="For the sales_partner role: its own partner id; else null."
    )

    @classmethod
    def of(cls, principal: DomainPrincipal) -> Me:
        return cls(
            sub=principal.sub,
            role=principal.role.value,
            importer=principal.importer,
            workshops=list(principal.workshops) if principal.role is Role.WORKSHOP else None,
            partner=principal.partner,
        )


@strawberry.type(description="The national importer of a car brand: the tenant of all data.")
class Importer:
    id: strawberry.ID = strawberry.field(description="The importer's reference (importer_ref).")
    name: str = strawberry.field(description="Display name.")
    timezone: str = strawberry.field(
        description="IANA timezone: every day, period and asOf is a calendar day in it."
    )
    connection_rate_goal: float | None = strawberry.field(
        description="Default connection-rate goal of its workshops, a fraction 0..1."
    )
    lead_due_days: int = strawberry.field(
        description="Days after acceptance after which an open lead is overdue."
    )
    lead_rating_enabled: bool = strawberry.field(
        description="Whether partner dashboards show the lead rating."
    )
    customer_rating_enabled: bool = strawberry.field(
        description="Whether partner dashboards show the customer rating."
    )

    @classmethod
    def of(cls, row: ImporterRow) -> Importer:
        return cls(
            id=strawberry.ID(row.ref),
            name=row.name,
            timezone=row.timezone,
            connection_rate_goal=row.connection_rate_goal,
            lead_due_days=row.lead_due_days,
            lead_rating_enabled=row.lead_rating_enabled,
            customer_rating_enabled=row.customer_rating_enabled,
        )


@strawberry.type(description="A dealer or service workshop of the importer.")
class Workshop:
    id: strawberry.ID = strawberry.field(description="The workshop's reference (workshop_ref).")
    name: str = strawberry.field(description="Display name.")
    city: str | None = strawberry.field(description="City, if delivered.")
    connection_rate_goal: float | None = strawberry.field(
        description="The workshop's own connection-rate goal (null: the importer's applies)."
    )
    row: strawberry.Private[WorkshopRow]

    @classmethod
    def of(cls, row: WorkshopRow) -> Workshop:
        return cls(
            id=strawberry.ID(row.ref),
            name=row.name,
            city=row.city,
            connection_rate_goal=row.connection_rate_goal,
            row=row,
        )

    @strawberry.field(
        description="This workshop's Activations and Performance dashboard.",
        metadata={**visible_to(DASHBOARD_ROLES), **batched_by(_dashboards, _dashboard_columns)},
    )
    async def dashboard(
        self,
        info: Info,
        period: Annotated[PeriodInput, strawberry.argument(description="The period to show.")],
    ) -> ActivationsDashboard:
        return await build_dashboard(info, [self.row], period)


def _cursor(self: WorkshopEdge) -> str:
    return encode_cursor("workshop", self.node.row.ref)


@strawberry.type(description="A workshop in a page of workshops.")
class WorkshopEdge:
    # computed when read: a list read through ``nodes`` encodes no cursor per workshop
    cursor: str = strawberry.field(
        resolver=_cursor, description="Pass as after (or before) to page from here."
    )
    node: Workshop = strawberry.field(description="The workshop.")


@strawberry.type(description="One page of workshops, ordered by id.")
class WorkshopConnection:
    total_count: int = strawberry.field(description="How many workshops match, over all pages.")
    edges: list[WorkshopEdge] = strawberry.field(description="The page's workshops with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page lies.")

    @strawberry.field(description="The page's workshops, without cursors.")
    def nodes(self) -> list[Workshop]:
        return [e.node for e in self.edges]
