"""An importer's data version: what HTTP caching keys answers on.

Two counters per importer: ``processing_state.data_version``, bumped by every
processing run (the rollups changed), and ``content_versions.version``, bumped by
every write a query sees before processing (ingest, goals, saved filters). An
answer cached under both is current as long as neither moved. They are kept
apart so that an ingest does not also reload the in-process distinct-id cache,
which depends only on processing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# asyncpg form (the ingest transaction talks to asyncpg directly); $1 = importer_ref,
# NULL = every importer (a CSV file without scope may name several).
BUMP_CONTENT_ASYNCPG = """INSERT INTO content_versions (importer_id, version)
    SELECT id, 1 FROM importers WHERE $1::text IS NULL OR importer_ref = $1::text
    ON CONFLICT (importer_id) DO UPDATE SET version = content_versions.version + 1"""

_BUMP_ONE = text(
    """INSERT INTO content_versions (importer_id, version) VALUES (:i, 1)
       ON CONFLICT (importer_id) DO UPDATE SET version = content_versions.version + 1"""
)

_READ = text(
    """SELECT ps.data_version, cv.version
       FROM importers i
       LEFT JOIN processing_state ps ON ps.importer_id = i.id
       LEFT JOIN content_versions cv ON cv.importer_id = i.id
       WHERE i.importer_ref = :ref"""
)


async def bump_content_version(conn: AsyncConnection, importer_id: int) -> None:
    """In the writing transaction: answers of this importer may have changed."""
    await conn.execute(_BUMP_ONE, {"i": importer_id})


async def bump_content_version_asyncpg(conn: Any, importer_ref: str | None) -> None:
    await conn.execute(BUMP_CONTENT_ASYNCPG, importer_ref)


async def read_versions(engine: AsyncEngine, importer_ref: str) -> tuple[int, int]:
    """(data version, content version) of an importer; (0, 0) before any write."""
    async with engine.connect() as conn:
        row = (await conn.execute(_READ, {"ref": importer_ref})).first()
    if row is None:
        return (-1, -1)  # unknown importer: its own tag, changes once it exists
    return (int(row[0] or 0), int(row[1] or 0))
