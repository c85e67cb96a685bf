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
