"""Sales leads, their offers to partners and the partners' events on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.models._columns import fact_ref, timestamp


class Lead(SQLModel, table=True):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("importer_id", "lead_ref"),
        Index("ix_leads_importer_created", "importer_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = fact_ref("importers.id")
    lead_ref: str
    created_at: datetime = timestamp()
    source: str  # MARKETPLACE | DIRECT
    marketplace_id: int | None = fact_ref("marketplaces.id", nullable=True)
    exclusive: bool
    workshop_id: int | None = fact_ref("workshops.id", nullable=True)


class LeadOffer(SQLModel, table=True):
    __tablename__ = "lead_offers"
    __table_args__ = (
        UniqueConstraint("lead_id", "partner_id"),
        Index("ix_lead_offers_partner_offered", "partner_id", "offered_at"),
        Index("ix_lead_offers_importer_offered", "importer_id", "offered_at"),
        Index("ix_lead_offers_importer_responded", "importer_id", "responded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = fact_ref("importers.id")
    lead_id: int = fact_ref("leads.id")
    partner_id: int = fact_ref("sales_partners.id")
    offered_at: datetime = timestamp()
    expires_at: datetime | None = timestamp(nullable=True)
    response: str  # PENDING | ACCEPTED | DECLINED | EXPIRED
    responded_at: datetime | None = timestamp(nullable=True)


class LeadEvent(SQLModel, table=True):
    __tablename__ = "lead_events"
    __table_args__ = (
        UniqueConstraint("lead_id", "partner_id", "kind", "occurred_at"),
        Index("ix_lead_events_partner_lead", "partner_id", "lead_id"),
        # processing reads only the events of the days that moved (partners.py)
        Index("ix_lead_events_importer_occurred", "importer_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = fact_ref("importers.id")
    lead_id: int = fact_ref("leads.id")
    partner_id: int = fact_ref("sales_partners.id")
    occurred_at: datetime = timestamp()
    kind: str  # FEEDBACK | FIRST_CONTACT | WON | LOST | LEAD_RATING | CUSTOMER_RATING
    value: int | None = None
