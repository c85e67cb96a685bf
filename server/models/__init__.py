"""SQLModel tables: tenancy, workshop facts, leads, rollups and bookkeeping.

Importing this package registers every table on ``SQLModel.metadata``, which is
what Alembic compares against.
"""

from server.models.copy_blocks import CopyBlock
from server.models.leads import Lead, LeadEvent, LeadOffer
from server.models.rollups import (
    PartnerCohortDay,
    PartnerOfferDay,
    PartnerOpenLeads,
    PartnerOutflowDay,
    WorkshopDay,
    WorkshopDayUsers,
    WorkshopStats,
)
from server.models.state import (
    ContentVersion,
    DirtyDay,
    PersistedQuery,
    ProcessingState,
    SavedFilter,
)
from server.models.tenancy import EligibilityRule, Importer, Marketplace, SalesPartner, Workshop
from server.models.workshop_facts import (
    Activation,
    AppActivity,
    AppUser,
    Campaign,
    Chat,
    StaffActivity,
    StaffUser,
    Vehicle,
    Visit,
)

__all__ = [
    "Activation",
    "AppActivity",
    "AppUser",
    "Campaign",
    "Chat",
    "ContentVersion",
    "CopyBlock",
    "DirtyDay",
    "EligibilityRule",
    "Importer",
    "Lead",
    "LeadEvent",
    "LeadOffer",
    "Marketplace",
    "PartnerCohortDay",
    "PartnerOfferDay",
    "PartnerOpenLeads",
    "PartnerOutflowDay",
    "PersistedQuery",
    "ProcessingState",
    "SalesPartner",
    "SavedFilter",
    "StaffActivity",
    "StaffUser",
    "Vehicle",
    "Visit",
    "Workshop",
    "WorkshopDay",
    "WorkshopDayUsers",
    "WorkshopStats",
]
