"""The staging table: parsed rows COPYed in with their line numbers, where the
checks that need the database (large refs, duplicate keys) run set-based."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from server.ingest._spec import STAGE, KindSpec, Record
from server.ingest.report import RowError


async def stage(conn: Any, spec: KindSpec, records: Iterable[Record]) -> None:
    """Create the session's staging table for this load and fill it."""
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in spec.stage)
    await conn.execute(f"CREATE TEMP TABLE {STAGE} (line int4 NOT NULL, {columns}) ON COMMIT DROP")
    names = ["line", *(name for name, _ in spec.stage)]
    await conn.copy_records_to_table(STAGE, records=records, columns=names)
    # Without statistics the planner takes the temp table for tiny and picks
    # nested loops over a million rows.
    await conn.execute(f"ANALYZE {STAGE}")


async def unresolved(conn: Any, spec: KindSpec, *, scoped: bool) -> list[RowError]:
    """Rows whose large refs (VINs, leads) do not resolve."""
    errors = []
    for lookup in spec.lookups:
        for line, ref, elsewhere in await conn.fetch(lookup.sql):
            errors.append(RowError(line, lookup.column, lookup.describe(ref, elsewhere, scoped)))
    return errors


async def duplicates(conn: Any, spec: KindSpec) -> list[RowError]:
    """Rows repeating the key of an earlier row of the same file."""
    if not spec.unique:
        return []
    key = ", ".join(spec.unique)
    rows = await conn.fetch(
        f"""SELECT s.line, d.first_line FROM {STAGE} s JOIN (
                SELECT {key}, min(line) AS first_line FROM {STAGE}
                GROUP BY {key} HAVING count(*) > 1
            ) d USING ({key})
            WHERE s.line <> d.first_line"""
    )
    column = spec.unique_label.split(",")[0]
    return [
        RowError(
            line,
            column,
            f"duplicate key ({spec.unique_label}) in this file: line {first} has the same; "
            "send each once",
        )
        for line, first in rows
    ]


async def drop_lines(conn: Any, errors: list[RowError]) -> None:
    if errors:
        lines = sorted({e.line for e in errors})
        await conn.execute(f"DELETE FROM {STAGE} WHERE line = ANY($1::int4[])", lines)


async def staged_count(conn: Any) -> int:
    count: int = await conn.fetchval(f"SELECT count(*) FROM {STAGE}")
    return count
