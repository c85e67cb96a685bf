"""Reference data: importers (the tenants), their workshops, eligibility rules,
marketplaces and sales partners. Every ``*_ref`` is unique within its importer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from server.models._columns import ref_to


class Importer(SQLModel, table=True):
    __tablename__ = "importers"

    id: int | None = Field(default=None, primary_key=True)
    importer_ref: str = Field(unique=True)
    name: str
    timezone: str = "Europe/Copenhagen"
    connection_rate_goal: float | None = None
    lead_due_days: int = 30
    lead_rating_enabled: bool = False
    customer_rating_enabled: bool = False


class Workshop(SQLModel, table=True):
    __tablename__ = "workshops"
    __table_args__ = (UniqueConstraint("importer_id", "workshop_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = ref_to("importers.id")
    workshop_ref: str
    name: str
    city: str | None = None
    connection_rate_goal: float | None = None


class EligibilityRule(SQLModel, table=True):
    """A file of rules replaces the rule set of each importer it names (rules have
    no reference of their own, and a rule must be removable)."""

    __tablename__ = "eligibility_rules"

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = ref_to("importers.id", index=True)
    make: str
    model: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    include: bool


class Marketplace(SQLModel, table=True):
    __tablename__ = "marketplaces"
    __table_args__ = (UniqueConstraint("importer_id", "marketplace_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = ref_to("importers.id")
    marketplace_ref: str
    name: str


class SalesPartner(SQLModel, table=True):
    __tablename__ = "sales_partners"
    __table_args__ = (UniqueConstraint("importer_id", "partner_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = ref_to("importers.id")
    partner_ref: str
    name: str
    workshop_id: int | None = ref_to("workshops.id", nullable=True)
    partner_since: date
