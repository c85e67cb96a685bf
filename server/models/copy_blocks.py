"""The rollups again, as raw columnar bytes per importer, kind and day, written
by processing for the days it rebuilt, so a server process loads its in-process
copies (``server/resolvers/blocks.py``) by reading bytes instead of
re-reading every rollup row, and after a run fetches only the days it rewrote.

A block is one day of one rollup: ``rows`` fixed-width big-endian records
(PostgreSQL's ``int4send``/``float8send``; ``BlockLayout`` says which), written
by one ``INSERT ... SELECT`` (no rows pass through Python). ``version`` is the
data version of the run that wrote it. ``ProcessingState.blocks_version`` says
which data version the blocks are complete for: any other means "read the rollup
tables" (a database processed before the blocks existed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Column, LargeBinary, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from server.models.rollups import PartnerCohortDay, PartnerOfferDay, WorkshopDay


class CopyBlock(SQLModel, table=True):
    __tablename__ = "copy_blocks"

    importer_id: int = Field(foreign_key="importers.id", primary_key=True)
    kind: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    version: int
    rows: int
    labels: list[str] | None = Field(default=None, sa_column=Column(ARRAY(Text), nullable=True))
    """The partner kinds' ``source`` values; a record holds an index into them."""
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


@dataclass(frozen=True)
class BlockLayout:
    """One kind of block: the rollup table it copies and its record's fields.

    ``keys`` come first in a record (int4 each, except ``source``: int2 index
    into ``labels``, and ``exclusive``: one byte), then ``columns`` (int4, or
    float8 for those in ``floating``)."""

    kind: str
    table: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    floating: frozenset[str]
    users: str | None = None  # workshop_day_users: the kind whose ids are unnested


def _rollup(table: str, model: type[SQLModel], keys: tuple[str, ...]) -> BlockLayout:
    """A rollup table's layout: its ``keys``, then every other column but the
    importer and the day (float8 where the model's field is a float)."""
    skip = {"id", "importer_id", "day", *keys}
    columns = tuple(c for c in model.model_fields if c not in skip)
    floating = frozenset(c for c in columns if model.model_fields[c].annotation is float)
    return BlockLayout(table, table, keys, columns, floating)


_PARTNER_KEYS = ("partner_id", "source", "exclusive", "marketplace_id")

WORKSHOP_DAY = _rollup("workshop_day", WorkshopDay, ("workshop_id",))
OFFERS = _rollup("partner_offer_day", PartnerOfferDay, _PARTNER_KEYS)
COHORT = _rollup("partner_cohort_day", PartnerCohortDay, _PARTNER_KEYS)
APP_USERS = BlockLayout(
    "users:app", "workshop_day_users", ("workshop_id",), ("user_id",), frozenset(), "app"
)
STAFF_USERS = BlockLayout(
    "users:staff", "workshop_day_users", ("workshop_id",), ("user_id",), frozenset(), "staff"
)

WORKSHOP_LAYOUTS = (WORKSHOP_DAY, APP_USERS, STAFF_USERS)
"""Rewritten for the workshop days a run rebuilds."""
PARTNER_LAYOUTS = (OFFERS, COHORT)
"""Rewritten for the partner days a run rebuilds."""
