"""Who is asking: the verified claims of a request's JWT."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    IMPORTER = "importer"
    WORKSHOP = "workshop"
    PARTNER_MANAGER = "partner_manager"
    SALES_PARTNER = "sales_partner"
    INTEGRATION = "integration"


@dataclass(frozen=True)
class Principal:
    """A verified caller. ``workshops`` is set for role workshop only, ``partner``
    for role sales_partner only (the JWT verifier enforces both)."""

    sub: str
    role: Role
    importer: str
    workshops: tuple[str, ...] = ()
    partner: str | None = None

    @property
    def sees_all_workshops(self) -> bool:
        return self.role is Role.IMPORTER

    @property
    def sees_partners(self) -> bool:
        return self.role in (Role.IMPORTER, Role.PARTNER_MANAGER, Role.SALES_PARTNER)

    @property
    def sees_competitor_names(self) -> bool:
        return self.role in (Role.IMPORTER, Role.PARTNER_MANAGER)
