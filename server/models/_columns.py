"""Column helpers shared by the table modules (one place for the tz-aware type)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer
from sqlmodel import Field


def timestamp(*, nullable: bool = False) -> Any:
    """A ``timestamptz`` column: every instant in the system carries its offset."""
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable))


def ref_to(target: str, *, nullable: bool = False, index: bool = False) -> Any:
    """An integer foreign key to ``target`` (``table.column``)."""
    return Field(
        sa_column=Column(Integer, ForeignKey(target), nullable=nullable, index=index),
    )


# Fact tables (what ingestion appends in bulk) name what each id refers to here
# instead of in a FOREIGN KEY: the per-row RI trigger was half of writing new
# visits. Ingestion resolves every ref in bulk in the same transaction as the
# write, and referenced rows are never deleted, so no fact can dangle.
REFERS_TO = "refers_to"


def fact_ref(target: str, *, nullable: bool = False, primary_key: bool = False) -> Any:
    """An integer id of a ``target`` (``table.column``) row, checked by ingestion
    rather than by a foreign key (see ``REFERS_TO``)."""
    return Field(
        sa_column=Column(
            Integer, nullable=nullable, primary_key=primary_key, info={REFERS_TO: target}
        ),
    )


# Rollup tables (what processing rewrites in bulk) name the row each id belongs to
# here instead of in a FOREIGN KEY: the per-row RI triggers were a third of a full
# rebuild. Every rollup row is derived from facts whose refs ingestion checked,
# and referenced rows are never deleted, so no rollup row can dangle either.
DERIVED_FROM = "derived_from"


def rollup_ref(target: str, *, primary_key: bool = False) -> Any:
    """An integer id of a ``target`` (``table.column``) row in a rollup table, written
    by processing from checked facts rather than checked by a foreign key
    (see ``DERIVED_FROM``)."""
    return Field(
        sa_column=Column(
            Integer,
            nullable=False,
            primary_key=primary_key,
            autoincrement=False,
            info={DERIVED_FROM: target},
        ),
    )
