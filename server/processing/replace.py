"""Replace a rollup table's rows in a scope by freshly computed ones, writing only
the rows that differ.

Deleting every row of the rebuilt days and inserting them again rewrote 182 k
workshop_day rows at 500 workshops x 365 days even when (as after most full
rebuilds) almost none changed: each insert checks the primary key against the
row version this transaction just deleted, and the table and its indexes grow
by a full copy until vacuum. Here the fresh rows go to a temporary table first
(no WAL, no index, no check), then one
statement deletes the stored rows that are not among them, and one inserts the
fresh rows whose key is no longer stored. The result is the same rows as
delete-and-insert; readers see the old rows or the new ones (one transaction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True)
class Rollup:
    """A rollup table: its key (unique in the table) and its other columns."""

    table: str
    key: Sequence[str]
    values: Sequence[str]

    @property
    def columns(self) -> list[str]:
        return [*self.key, *self.values]


async def replace_rows(
    conn: AsyncConnection,
    rollup: Rollup,
    *,
    fresh_sql: str,
    scope: str,
    params: Mapping[str, Any],
) -> None:
    """Make the rows of ``rollup`` matching ``scope`` (a condition on its columns,
    unqualified) exactly the rows ``fresh_sql`` selects (which must lie in scope
    and name every column)."""
    fresh = f"fresh_{rollup.table}"
    columns = ", ".join(rollup.columns)
    on_key = " AND ".join(f"f.{c} = t.{c}" for c in rollup.key)
    same = " AND ".join(f"f.{c} IS NOT DISTINCT FROM t.{c}" for c in rollup.values)
    await conn.execute(text(f"DROP TABLE IF EXISTS pg_temp.{fresh}"))
    await conn.execute(text(f"CREATE TEMP TABLE {fresh} (LIKE {rollup.table}) ON COMMIT DROP"))
    await conn.execute(
        text(f"INSERT INTO {fresh} ({columns}) SELECT {columns} FROM ({fresh_sql}) s"),
        dict(params),
    )
    await conn.execute(
        text(
            f"""DELETE FROM {rollup.table} t WHERE {scope}
                AND NOT EXISTS (SELECT 1 FROM {fresh} f WHERE {on_key} AND {same})"""
        ),
        dict(params),
    )
    await conn.execute(
        text(
            f"""INSERT INTO {rollup.table} ({columns})
                SELECT {columns} FROM {fresh} f
                WHERE NOT EXISTS (SELECT 1 FROM {rollup.table} t WHERE {on_key})"""
        )
    )
