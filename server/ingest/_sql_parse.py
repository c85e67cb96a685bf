"""Parsing plain files in PostgreSQL: COPY the raw text, accept in one set-based
statement every row that is certainly good, and hand only the others to the
Python checker.

The Python checker stays the referee: SQL accepts a row only when each cell has
the canonical form of its type (``2026-10-03T14:05:00+02:00``, ``2026-10-03``,
``42``) that the Python parser also accepts with the same value, its workshop
ref resolves (from the refs the checker uses), its times lie in the fact window
and the kind's cross-column check holds. Every other row (a bad one, or a good
one in a rarer form, such as ``2026-10-03 14:05+02``) goes through the checker
exactly as before, so the errors, their messages and their lines are the
checker's own. A million plain rows cost about a second in PostgreSQL instead
of several in Python.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg

from server.ingest import _values as v
from server.ingest._check import RowChecker
from server.ingest._refs import Refs
from server.ingest._spec import STAGE, Column, KindSpec, SqlParse
from server.ingest._staging import fill_stage
from server.ingest._window import FactWindow

RAW = "ingest_raw"
REFS = "ingest_refs"

# The canonical forms, which PostgreSQL's and Python's parsers read alike: a
# timestamp as Python's isoformat() writes it (no fraction: those go to Python),
# a day, a count. Shapes are checked with LIKE and digit runs (a regular
# expression with counted repeats costs several microseconds a cell); hour 24,
# second 60 and offset minutes past 59 are excluded: only one side takes them.
_TIMESTAMP_SHAPES = ("____-__-__T__:__:__+__:__", "____-__-__T__:__:__-__:__")
_TIMESTAMP_DIGITS = 18
_DAY_SHAPE = "____-__-__"
_COUNT_DIGITS = 9


def _digits_only(text: str, length: int) -> str:
    return f"({text} ~ '^[0-9]+$' AND length({text}) = {length})"


def _canonical_timestamp(cell: str) -> str:
    shapes = " OR ".join(f"{cell} LIKE '{shape}'" for shape in _TIMESTAMP_SHAPES)
    digits = f"replace(replace(replace(replace({cell}, '-', ''), ':', ''), 'T', ''), '+', '')"
    return (
        f"({shapes}) AND {_digits_only(digits, _TIMESTAMP_DIGITS)}"
        f" AND substr({cell}, 12, 2) < '24' AND substr({cell}, 18, 2) < '60'"
        f" AND substr({cell}, 24, 2) < '60' AND pg_input_is_valid({cell}, 'timestamptz')"
    )


def _canonical_day(cell: str) -> str:
    digits = f"replace({cell}, '-', '')"
    return (
        f"{cell} LIKE '{_DAY_SHAPE}' AND {_digits_only(digits, 8)}"
        f" AND pg_input_is_valid({cell}, 'date')"
    )


async def parse_in_sql(
    conn: Any,
    spec: KindSpec,
    header: Sequence[str],
    rows: bytes,
    checker: RowChecker,
    window: FactWindow,
) -> bool:
    """Stage the plain ``rows`` (the file after its header line); False, with
    nothing staged, when COPY refuses them (a ragged row, bad UTF-8): the caller
    then checks the file in Python."""
    parse = spec.sql_parse
    assert parse is not None, "only kinds with an SQL parse"
    cells = [f"c{i}" for i in range(len(header))]
    try:
        async with conn.transaction():
            await conn.execute(
                f"CREATE TEMP TABLE {RAW} (line int4 GENERATED ALWAYS AS IDENTITY (START WITH 2),"
                f" {', '.join(f'{c} text' for c in cells)}) ON COMMIT DROP"
            )
            await conn.copy_to_table(RAW, source=io.BytesIO(rows), columns=cells, format="csv")
            await conn.execute(f"ANALYZE {RAW}")
    except asyncpg.PostgresError:
        return False
    await _copy_refs(conn, checker.context.refs, parse)
    await conn.execute(accept_statement(spec, list(header), window))
    await _check_the_rest(conn, checker, len(cells))
    return True


async def _copy_refs(conn: Any, refs: Refs, parse: SqlParse) -> None:
    """The workshop refs the checker would resolve: those of exactly one workshop."""
    await conn.execute(
        f"CREATE TEMP TABLE {REFS} (ref text PRIMARY KEY, ref_importer_id int4, ref_id int4)"
        " ON COMMIT DROP"
    )
    found = refs.tables["workshop"].anywhere.items()
    records = [(ref, *owners[0]) for ref, owners in found if len(owners) == 1]
    await conn.copy_records_to_table(REFS, records=records)


async def _check_the_rest(conn: Any, checker: RowChecker, width: int) -> None:
    """Rows SQL did not accept go through the checker; its records are staged."""
    # Columns by name: asyncpg caches statements by their text, and "r.*" of
    # a narrower file would reuse the result shape of a wider one.
    cells = ", ".join(f"r.c{i}" for i in range(width))
    rest = await conn.fetch(
        f"SELECT r.line, {cells} FROM {RAW} r WHERE NOT EXISTS"
        f" (SELECT 1 FROM {STAGE} s WHERE s.line = r.line) ORDER BY r.line"
    )
    if not rest:
        return
    rows = ((row[0], [cell or "" for cell in row[1:]]) for row in rest)
    records = list(checker.records(rows))
    if records:
        await fill_stage(conn, checker.spec, records)


def accept_statement(spec: KindSpec, header: list[str], window: FactWindow) -> str:
    """INSERT into the staging table of every raw row that is certainly good."""
    parse = spec.sql_parse
    assert parse is not None
    position = {name: index for index, name in enumerate(header)}
    values = [c for c in spec.columns if c.name != parse.ref_column]
    targets = [name for name, _ in spec.stage[2:]]
    assert len(values) == len(targets), f"{spec.kind}: stage importer, workshop, then the rest"
    selects, conditions = [], []
    for column, target in zip(values, targets, strict=True):
        cell = f"r.c{position[column.name]}" if column.name in position else "NULL::text"
        value, bounds = _parsed(column, cell, window)
        selects.append(f"{value} AS {target}, {cell} AS raw_{target}")
        inside = f"{target} IS NOT NULL" + (f" AND {bounds.format(target)}" if bounds else "")
        if column.required:
            conditions.append(f"({inside})")
        else:
            conditions.append(f"(raw_{target} IS NULL OR ({inside}))")
    conditions.append(f"({parse.check})")
    stage_columns = ", ".join(name for name, _ in spec.stage)
    return f"""INSERT INTO {STAGE} (line, {stage_columns})
        SELECT line, {stage_columns} FROM (
            SELECT r.line, w.ref_importer_id AS importer_id, w.ref_id AS workshop_id,
                {", ".join(selects)}
            FROM {RAW} r JOIN {REFS} w ON w.ref = r.c{position[parse.ref_column]}
            -- OFFSET 0: each cell is parsed once, not again in every condition
            OFFSET 0
        ) p
        WHERE {" AND ".join(conditions)}"""


def _parsed(column: Column, cell: str, window: FactWindow) -> tuple[str, str]:
    """The SQL value of a cell (NULL unless in canonical form) and the range
    it must lie in, as a template over the value's name ("" for none)."""
    assert column.default is None, "an empty cell stages NULL"
    if column.parse is None:
        return cell, ""
    if column.parse is v.timestamp:
        value = (
            f"CASE WHEN {_canonical_timestamp(cell)}"
            f" THEN (extract(epoch FROM {cell}::timestamptz) * 1000000)::int8 END"
        )
        low, high = v.instant_range()
        if column.fact_time:
            first, end = window.instants()
            low, high = max(low, first), min(high, end)
        return value, f"{{0}} >= {low} AND {{0}} < {high}"
    if column.parse is v.day:
        value = f"CASE WHEN {_canonical_day(cell)} THEN {cell}::date END"
        first_day, end_day = v.day_range()
        bounds = f"{{0}} >= {_date(first_day)} AND {{0}} < {_date(end_day)}"
        if column.fact_time:
            bounds += f" AND {{0}} BETWEEN {_date(window.earliest)} AND {_date(window.latest)}"
        return value, bounds
    if column.parse is v.count:
        digits = f"{cell} ~ '^[0-9]+$' AND length({cell}) <= {_COUNT_DIGITS}"
        return f"CASE WHEN {digits} THEN {cell}::int4 END", ""
    raise AssertionError(f"column {column.name}: no SQL parse for its type")


def _date(day: date) -> str:
    return f"date '{day.isoformat()}'"
