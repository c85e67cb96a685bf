"""Facts delivered about workshops: vehicles and their visits, activations,
chats, campaigns, and end-customer / staff activity."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from server.models._columns import fact_ref, ref_to, timestamp


class Vehicle(SQLModel, table=True):
    """A VIN is unique within its importer: a car sold across a border is a
    vehicle of each importer that services it (DOMAIN.md, "Identifiers")."""

    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("importer_id", "vin"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = ref_to("importers.id", index=True)
    vin: str
    make: str
    model: str
    model_year: int


class Visit(SQLModel, table=True):
    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("importer_id", "visit_ref"),
        # No index by vehicle: only loading vehicles or activations looked a
        # vehicle's visits up, and keeping it up cost a third of writing new
        # visits (migration 0070).
        Index("ix_visits_workshop_departed", "workshop_id", "departed_at"),
        Index("ix_visits_importer_departed", "importer_id", "departed_at"),
        # Only visits still in the workshop: the data age needs their arrival
        # (a departed visit's departure is later), and new departed visits skip it.
        Index(
            "ix_visits_workshop_arrived_open",
            "workshop_id",
            "arrived_at",
            postgresql_where=text("departed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = fact_ref("importers.id")
    visit_ref: str
    workshop_id: int = fact_ref("workshops.id")
    vehicle_id: int = fact_ref("vehicles.id")
    arrived_at: datetime = timestamp()
    departed_at: datetime | None = timestamp(nullable=True)


class Activation(SQLModel, table=True):
    __tablename__ = "activations"
    __table_args__ = (
        UniqueConstraint("vehicle_id", "invited_at"),
        Index("ix_activations_importer_activated", "importer_id", "activated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = fact_ref("importers.id")
    vehicle_id: int = fact_ref("vehicles.id")
    workshop_id: int = fact_ref("workshops.id")
    invited_at: datetime = timestamp()
    activated_at: datetime | None = timestamp(nullable=True)
    deactivated_at: datetime | None = timestamp(nullable=True)


class Chat(SQLModel, table=True):
    __tablename__ = "chats"
    __table_args__ = (
        UniqueConstraint("importer_id", "conversation_ref"),
        Index("ix_chats_importer_started", "importer_id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = fact_ref("importers.id")
    conversation_ref: str
    workshop_id: int = fact_ref("workshops.id")
    started_at: datetime = timestamp()
    messages: int
    first_response_at: datetime | None = timestamp(nullable=True)


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"
    __table_args__ = (
        UniqueConstraint("importer_id", "campaign_ref"),
        Index("ix_campaigns_importer_sent", "importer_id", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = fact_ref("importers.id")
    campaign_ref: str
    workshop_id: int = fact_ref("workshops.id")
    sent_at: datetime = timestamp()
    recipients: int


class AppUser(SQLModel, table=True):
    """End customers seen in app_activity; a dense integer id per user keeps the
    distinct-count rollups small."""

    __tablename__ = "app_users"
    __table_args__ = (UniqueConstraint("importer_id", "app_user_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = ref_to("importers.id")
    app_user_ref: str


class AppActivity(SQLModel, table=True):
    __tablename__ = "app_activity"
    __table_args__ = (
        Index("ix_app_activity_workshop_day", "workshop_id", "day"),
        Index("ix_app_activity_importer_day", "importer_id", "day"),
    )

    app_user_id: int = fact_ref("app_users.id", primary_key=True)
    workshop_id: int = fact_ref("workshops.id", primary_key=True)
    day: date = Field(primary_key=True)
    importer_id: int = fact_ref("importers.id")


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("importer_id", "user_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = ref_to("importers.id")
    user_ref: str


class StaffActivity(SQLModel, table=True):
    __tablename__ = "staff_activity"
    __table_args__ = (
        Index("ix_staff_activity_workshop_day", "workshop_id", "day"),
        Index("ix_staff_activity_importer_day", "importer_id", "day"),
    )

    staff_user_id: int = fact_ref("staff_users.id", primary_key=True)
    workshop_id: int = fact_ref("workshops.id", primary_key=True)
    day: date = Field(primary_key=True)
    importer_id: int = fact_ref("importers.id")
    actions: int
