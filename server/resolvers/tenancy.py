"""Data access for the tenancy entities a principal can see: its importer, the
workshops and the sales partners of that importer. Every query carries the
importer id; a ref outside it simply does not resolve (NOT_FOUND upstream)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class ImporterRow:
    id: int
    ref: str
    name: str
    timezone: str
    connection_rate_goal: float | None
    lead_due_days: int
    lead_rating_enabled: bool
    customer_rating_enabled: bool


@dataclass(frozen=True)
class WorkshopRow:
    id: int
    ref: str
    name: str
    city: str | None
    connection_rate_goal: float | None


@dataclass(frozen=True)
class PartnerRow:
    id: int
    ref: str
    name: str
    partner_since: date
    workshop_id: int | None


_WORKSHOP_COLUMNS = "id, workshop_ref, name, city, connection_rate_goal"
WORKSHOP_COLUMNS = _WORKSHOP_COLUMNS
"""The columns a ``WorkshopRow`` is made of, in its order."""
_PARTNER_COLUMNS = "id, partner_ref, name, partner_since, workshop_id"


_IMPORTER = (
    "SELECT id, importer_ref, name, timezone, connection_rate_goal, lead_due_days,"
    " lead_rating_enabled, customer_rating_enabled"
)


async def importer_and_version(
    engine: AsyncEngine, ref: str
) -> tuple[ImporterRow, int, int] | None:
    """The importer, its data version (0 before any processing run) and its
    content version (0 before any write), in one statement: every request needs
    them (the content version stamps the kept workshop lists), and each
    statement is a round trip."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    _IMPORTER + ", (SELECT data_version FROM processing_state ps"
                    " WHERE ps.importer_id = importers.id)"
                    ", (SELECT version FROM content_versions cv"
                    " WHERE cv.importer_id = importers.id)"
                    " FROM importers WHERE importer_ref = :ref"
                ),
                {"ref": ref},
            )
        ).first()
    if row is None:
        return None
    return ImporterRow(*row[:-2]), int(row[-2] or 0), int(row[-1] or 0)


async def workshops_where(
    engine: AsyncEngine, importer_id: int, *, ids: Sequence[int] = (), refs: Sequence[str] = ()
) -> list[WorkshopRow]:
    """The importer's workshops with any of these ids or refs."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                f"SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE importer_id = :imp"
                " AND (id = ANY(CAST(:ids AS int[])) OR workshop_ref = ANY(CAST(:refs AS text[])))"
            ),
            {"imp": importer_id, "ids": list(ids), "refs": list(refs)},
        )
        return [WorkshopRow(*r) for r in rows]


@dataclass(frozen=True)
class WorkshopPage:
    total: int
    rows: list[WorkshopRow]
    has_next: bool
    has_previous: bool = False


WORKSHOP_SCOPE = (
    "importer_id = :imp"
    " AND (CAST(:only AS text[]) IS NULL OR workshop_ref = ANY(CAST(:only AS text[])))"
    " AND (CAST(:pattern AS text) IS NULL OR lower(name) LIKE :pattern"
    "      OR lower(workshop_ref) LIKE :pattern OR lower(coalesce(city, '')) LIKE :pattern)"
)
"""The workshops a page is taken from: the importer's, ``:only`` these refs (if
not null), matching ``:pattern`` (a lower-case LIKE pattern, if not null)."""


async def workshop_page(
    engine: AsyncEngine,
    importer_id: int,
    *,
    only_refs: Sequence[str] | None,
    search: str | None,
    first: int | None,
    after_ref: str | None,
    last: int | None = None,
    before_ref: str | None = None,
) -> WorkshopPage:
    """A page of workshops ordered by ref (keyset pagination), with the total count.

    ``first`` takes the page from the start of the window between the cursors,
    ``last`` from its end (Relay); one more row than asked tells whether more
    lie that way, and a probe past each cursor whether any lie the other way.
    """
    pattern = f"%{search.lower()}%" if search else None
    backward = last is not None
    size = last if last is not None else (first or 0)
    params = {
        "imp": importer_id,
        "only": None if only_refs is None else list(only_refs),
        "pattern": pattern,
        "after": after_ref,
        "before": before_ref,
        "limit": size + 1,
    }
    scope = WORKSHOP_SCOPE
    order = "DESC" if backward else "ASC"
    sql = f"""
        WITH scoped AS (SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE {scope}),
             page AS (SELECT * FROM scoped
                      WHERE (CAST(:after AS text) IS NULL OR workshop_ref > :after)
                        AND (CAST(:before AS text) IS NULL OR workshop_ref < :before)
                      ORDER BY workshop_ref {order} LIMIT :limit)
        SELECT page.*, total.n,
               EXISTS (SELECT 1 FROM scoped WHERE workshop_ref <= :after) AS before_after,
               EXISTS (SELECT 1 FROM scoped WHERE workshop_ref >= :before) AS past_before
        FROM (SELECT count(*) AS n FROM scoped) AS total
        LEFT JOIN page ON true ORDER BY page.workshop_ref"""
    async with engine.connect() as conn:
        rows = (await conn.execute(text(sql), params)).all()
    total = int(rows[0][-3])
    before_after, past_before = bool(rows[0][-2]), bool(rows[0][-1])
    found = [WorkshopRow(*r[:-3]) for r in rows if r[0] is not None]
    more = len(found) > size
    if backward:
        kept = found[len(found) - size :] if more else found
        return WorkshopPage(total=total, rows=kept, has_next=past_before, has_previous=more)
    return WorkshopPage(total=total, rows=found[:size], has_next=more, has_previous=before_after)


async def scoped_workshops(
    engine: AsyncEngine, importer_id: int, only_refs: Sequence[str] | None
) -> list[WorkshopRow]:
    """Every workshop the principal may see (all of the importer's, or its list)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                f"SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE importer_id = :imp"
                " AND (CAST(:only AS text[]) IS NULL OR workshop_ref = ANY(CAST(:only AS text[])))"
                " ORDER BY workshop_ref"
            ),
            {"imp": importer_id, "only": None if only_refs is None else list(only_refs)},
        )
        # all() takes the rows in one call; iterating fetched them one by one,
        # a few microseconds each for every workshop of a large importer
        return [WorkshopRow(*r) for r in rows.all()]


async def partners_where(
    engine: AsyncEngine, importer_id: int, *, refs: Sequence[str] | None = None
) -> list[PartnerRow]:
    """The importer's sales partners (all, or those with these refs), by ref."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                f"SELECT {_PARTNER_COLUMNS} FROM sales_partners WHERE importer_id = :imp"
                " AND (CAST(:refs AS text[]) IS NULL OR partner_ref = ANY(CAST(:refs AS text[])))"
                " ORDER BY partner_ref"
            ),
            {"imp": importer_id, "refs": None if refs is None else list(refs)},
        )
        return [PartnerRow(*r) for r in rows]
