"""Bookkeeping: which days need reprocessing, and what users keep between visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class DirtyDay(SQLModel, table=True):
    """A day whose rollups are stale. Ingestion marks the days a change touches
    (ARCHITECTURE.md, "Which days a change touches"); processing rebuilds and
    clears them. ``domain`` is 'workshop' or 'partner'.

    ``version`` grows each time a change marks the day again. A run clears only
    the marks at the version it read, so a change committed while it runs (even
    to a day it already rebuilt) stays marked for the next run."""

    __tablename__ = "dirty_days"

    importer_id: int = Field(foreign_key="importers.id", primary_key=True)
    domain: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class ProcessingState(SQLModel, table=True):
    """Per importer: whether every day must be rebuilt (rules or timezone changed),
    and when processing last finished (the data version clients may cache on).

    ``rebuild_requests`` counts the changes that asked for a full rebuild; a run
    clears ``rebuild_all`` only if no request arrived after it read the count."""

    __tablename__ = "processing_state"

    importer_id: int = Field(foreign_key="importers.id", primary_key=True)
    rebuild_all: bool = False
    rebuild_requests: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    processed_through: date | None = None
    processed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    data_version: int = 0
    blocks_version: int | None = None
    """The data version whose copy blocks (``copy_blocks``) are complete; any
    other: the copies are read from the rollup tables and the next run writes
    every block."""


class ContentVersion(SQLModel, table=True):
    """Per importer: bumped by every write a query sees before processing (ingest,
    goals, saved filters). With ``ProcessingState.data_version`` it keys the ETag of
    GET answers (server/data_version.py). A table of its own so that bookkeeping of
    processing stays untouched by writes that change nothing there."""

    __tablename__ = "content_versions"

    importer_id: int = Field(foreign_key="importers.id", primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))


class SavedFilter(SQLModel, table=True):
    """A user's kept dashboard filters ("kept for the next time"), per dashboard kind."""

    __tablename__ = "saved_filters"

    importer_id: int = Field(foreign_key="importers.id", primary_key=True)
    sub: str = Field(primary_key=True)
    dashboard: str = Field(primary_key=True)
    filters: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


class PersistedQuery(SQLModel, table=True):
    """A GraphQL document registered through automatic persisted queries (APQ),
    keyed by its SHA-256; shared by every API process, bounded by evicting the
    least recently used (server/http/persisted.py)."""

    __tablename__ = "persisted_queries"
    __table_args__ = (Index("ix_persisted_queries_last_used", "last_used_at"),)

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    document: str = Field(sa_column=Column(Text, nullable=False))
    last_used_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
