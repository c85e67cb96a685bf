"""Who and what a principal can see: itself, its importer, workshops, partners."""

from __future__ import annotations

import base64

import strawberry

from server.auth.principal import Principal as DomainPrincipal
from server.auth.principal import Role
from server.errors import BadUserInput
from server.resolvers.tenancy import ImporterRow, WorkshopRow
from server.schema.activations import ActivationsDashboard, build_dashboard
from server.schema.common import PeriodInput
from server.schema.context import Info
from server.schema.visibility import DASHBOARD_ROLES, visible_to

MAX_PAGE = 500


@strawberry.type(name="Principal", description="The caller, as its token says.")
class Me:
    sub: str
    role: str
    importer: str
    workshops: list[str] | None
    partner: str | None

    @classmethod
    def of(cls, principal: DomainPrincipal) -> Me:
        return cls(
            sub=principal.sub,
            role=principal.role.value,
            importer=principal.importer,
            workshops=list(principal.workshops) if principal.role is Role.WORKSHOP else None,
            partner=principal.partner,
        )


@strawberry.type
class Importer:
    id: strawberry.ID
    name: str
    timezone: str
    connection_rate_goal: float | None
    lead_due_days: int
    lead_rating_enabled: bool
    customer_rating_enabled: bool

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


@strawberry.type
class Workshop:
    id: strawberry.ID
    name: str
    city: str | None
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
        metadata=visible_to(DASHBOARD_ROLES),
    )
    async def dashboard(self, info: Info, period: PeriodInput) -> ActivationsDashboard:
        return await build_dashboard(info, [self.row], period)


@strawberry.type
class WorkshopEdge:
    cursor: str
    node: Workshop


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class WorkshopConnection:
    total_count: int
    edges: list[WorkshopEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Workshop]:
        return [e.node for e in self.edges]


def encode_cursor(ref: str) -> str:
    return base64.urlsafe_b64encode(f"workshop:{ref}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        kind, _, ref = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        kind, ref = "", ""
    if kind != "workshop" or not ref:
        raise BadUserInput(f"after: '{cursor}' is not a cursor from this connection")
    return ref


def check_page_size(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE} (got {first})")
