"""Day-level rollups built by the daily processing job; dashboards read these,
never the raw facts. A day is a calendar day in the importer's timezone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Index, Integer
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from server.models._columns import rollup_ref


class WorkshopDay(SQLModel, table=True):
    """Additive counts per workshop and day (sums over any period stay exact)."""

    __tablename__ = "workshop_day"
    # importer-wide reads of a day range (every dashboard over many workshops)
    __table_args__ = (Index("ix_workshop_day_importer_day", "importer_id", "day"),)

    workshop_id: int = rollup_ref("workshops.id", primary_key=True)
    day: date = Field(primary_key=True)
    importer_id: int = rollup_ref("importers.id")
    new_activations: int = 0
    leads_created: int = 0
    chats: int = 0
    chat_messages: int = 0
    chat_responses: int = 0
    chat_response_seconds: float = 0.0
    campaigns: int = 0
    campaign_recipients: int = 0
    throughput: int = 0
    eligible: int = 0
    connected: int = 0
    staff_rows: int = 0
    staff_actions: int = 0


class WorkshopDayUsers(SQLModel, table=True):
    """The ids of users active per workshop and day ('app' or 'staff'): a distinct
    count over a period is a union of these, never a sum of daily counts."""

    __tablename__ = "workshop_day_users"
    # one day's ids of an importer (processing's rewrite of a day, its copy blocks)
    __table_args__ = (Index("ix_workshop_day_users_importer_day", "importer_id", "day"),)

    workshop_id: int = rollup_ref("workshops.id", primary_key=True)
    kind: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    importer_id: int = rollup_ref("importers.id")
    user_ids: list[int] = Field(sa_column=Column(ARRAY(Integer), nullable=False))


class WorkshopStats(SQLModel, table=True):
    """Per workshop, the newest day the workshop tool system delivered (data age)."""

    __tablename__ = "workshop_stats"

    workshop_id: int = rollup_ref("workshops.id", primary_key=True)
    importer_id: int = rollup_ref("importers.id")
    newest_data_day: date | None = None


class PartnerOfferDay(SQLModel, table=True):
    """Offers to a partner by the day they were offered, split by the lead's
    filter dimensions (source, exclusive, marketplace)."""

    __tablename__ = "partner_offer_day"
    __table_args__ = (Index("ix_partner_offer_day", "partner_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = rollup_ref("importers.id")
    partner_id: int = rollup_ref("sales_partners.id")
    day: date
    source: str
    exclusive: bool
    marketplace_id: int | None = None
    offers: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    accept_seconds: float = 0.0
    decline_seconds: float = 0.0


class PartnerCohortDay(SQLModel, table=True):
    """The accepted cohort by acceptance day, with its outcome as known at as-of."""

    __tablename__ = "partner_cohort_day"
    __table_args__ = (Index("ix_partner_cohort_day", "partner_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = rollup_ref("importers.id")
    partner_id: int = rollup_ref("sales_partners.id")
    day: date
    source: str
    exclusive: bool
    marketplace_id: int | None = None
    cohort: int = 0
    with_feedback: int = 0
    feedback_seconds: float = 0.0
    won: int = 0
    lost: int = 0
    contacted: int = 0
    contact_seconds: float = 0.0
    closed: int = 0
    cycle_seconds: float = 0.0
    lead_rating_sum: int = 0
    lead_ratings: int = 0
    customer_rating_sum: int = 0
    customer_ratings: int = 0


class PartnerOpenLeads(SQLModel, table=True):
    """Open accepted leads by acceptance day and last-touch day (latest FEEDBACK,
    else the acceptance): silent and overdue counts follow from today alone."""

    __tablename__ = "partner_open_leads"
    __table_args__ = (Index("ix_partner_open_leads", "partner_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = rollup_ref("importers.id")
    partner_id: int = rollup_ref("sales_partners.id")
    day: date
    source: str
    exclusive: bool
    marketplace_id: int | None = None
    last_touch_day: date
    leads: int = 0


class PartnerOutflowDay(SQLModel, table=True):
    """Marketplace leads a partner declined or let expire and another accepted,
    by the day they were offered to the partner and the receiving partner."""

    __tablename__ = "partner_outflow_day"
    __table_args__ = (Index("ix_partner_outflow_day", "partner_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = rollup_ref("importers.id")
    partner_id: int = rollup_ref("sales_partners.id")
    day: date
    exclusive: bool
    marketplace_id: int | None = None
    receiver_id: int = rollup_ref("sales_partners.id")
    leads: int = 0
