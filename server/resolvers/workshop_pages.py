"""Several forward pages of one importer's workshops in one statement.

A big list is asked as aliased pages (``p0: workshops(first: 500)``,
``p1: workshops(first: 500, after: ...)``, ...); read one by one they cost a
round trip and a scan of the importer's workshops each. Here every page of
the same scope (who may see what, and the search) is one row of an
``unnest`` joined laterally to its window, so the pages cost one statement.
Each page answers exactly what ``tenancy.workshop_page`` answers for it
(forward pages: ``first`` and ``after`` only; the database orders the refs)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.resolvers.tenancy import WORKSHOP_COLUMNS, WORKSHOP_SCOPE, WorkshopPage, WorkshopRow

_COLUMNS = len(WORKSHOP_COLUMNS.split(","))

_SQL = f"""
    WITH scoped AS (SELECT {WORKSHOP_COLUMNS} FROM workshops WHERE {WORKSHOP_SCOPE}),
         asked AS MATERIALIZED (SELECT a.*, a.after IS NOT NULL
                              AND EXISTS (SELECT 1 FROM scoped WHERE workshop_ref <= a.after)
                              AS before
                   FROM unnest(CAST(:afters AS text[]), CAST(:limits AS int[]))
                        WITH ORDINALITY AS a(after, size, n))
    SELECT a.n, (SELECT count(*) FROM scoped) AS total, a.before, page.*
    FROM asked a
    LEFT JOIN LATERAL (SELECT * FROM scoped
                       WHERE a.after IS NULL OR workshop_ref > a.after
                       ORDER BY workshop_ref LIMIT a.size) page ON true
    ORDER BY a.n, page.workshop_ref"""


async def workshop_pages(
    engine: AsyncEngine,
    importer_id: int,
    *,
    only_refs: Sequence[str] | None,
    search: str | None,
    pages: Sequence[tuple[int | None, str | None]],
) -> list[WorkshopPage]:
    """Per ``(first, after_ref)`` of ``pages``, that page (in order), with the
    total count; one more row than asked tells whether more lie ahead."""
    sizes = [first or 0 for first, _ in pages]
    params = {
        "imp": importer_id,
        "only": None if only_refs is None else list(only_refs),
        "pattern": f"%{search.lower()}%" if search else None,
        "afters": [after for _, after in pages],
        "limits": [size + 1 for size in sizes],
    }
    async with engine.connect() as conn:
        rows = (await conn.execute(text(_SQL), params)).all()
    found: list[list[WorkshopRow]] = [[] for _ in pages]
    total, before = 0, [False] * len(pages)
    for row in rows:
        n = row[0] - 1
        total, before[n] = int(row[1]), bool(row[2])
        if row[3] is not None:
            found[n].append(WorkshopRow(*row[3 : 3 + _COLUMNS]))
    return [
        WorkshopPage(
            total=total, rows=rows_[:size], has_next=len(rows_) > size, has_previous=before[n]
        )
        for n, (rows_, size) in enumerate(zip(found, sizes, strict=True))
    ]
