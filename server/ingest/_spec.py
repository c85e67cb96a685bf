"""The shape of one kind's definition: its CSV columns, how a row becomes a
staged record, how large refs are checked in SQL, and how records reach the table.

The definitions themselves live in ``_reference_kinds``, ``_workshop_kinds`` and
``_lead_kinds``; the days each change touches live in ``_dirty``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from server.ingest._row import RowContext
from server.ingest._values import Parser

STAGE = "ingest_stage"

Record = tuple[object, ...]
RowBuilder = Callable[[RowContext, Sequence[object]], Record]


@dataclass(frozen=True)
class Column:
    """A CSV column. ``sets`` names the table column it fills when that differs
    (a ref becomes an id); an optional column missing from the header is left
    untouched on update. ``fact_time`` marks a fact's day or timestamp, which
    must lie inside the load's ``FactWindow``."""

    name: str
    parse: Parser | None = None  # None: the text as it is
    required: bool = False
    default: object = None
    sets: str | None = None
    fact_time: bool = False

    @property
    def target(self) -> str:
        return self.sets or self.name


def need(name: str, parse: Parser | None = None, *, sets: str | None = None) -> Column:
    return Column(name, parse, required=True, sets=sets)


def opt(
    name: str, parse: Parser | None = None, *, default: object = None, sets: str | None = None
) -> Column:
    return Column(name, parse, default=default, sets=sets)


def need_at(name: str, parse: Parser) -> Column:
    """A required day or timestamp of a fact (checked against the fact window)."""
    return Column(name, parse, required=True, fact_time=True)


def opt_at(name: str, parse: Parser) -> Column:
    """An optional day or timestamp of a fact (checked against the fact window)."""
    return Column(name, parse, fact_time=True)


@dataclass(frozen=True)
class Lookup:
    """A large reference (a VIN, a lead) checked in SQL against the staged rows.

    ``sql`` selects ``(line, ref, elsewhere)`` for every staged row whose ref does
    not resolve; ``elsewhere`` is true when it exists under another importer.
    """

    column: str
    sql: str
    describe: Callable[[str, bool, bool], str]  # (ref, elsewhere, scoped) -> reason


@dataclass(frozen=True)
class KindSpec:
    """Everything needed to validate and load one kind.

    Args:
        kind: the file kind (``KINDS``).
        table: the target table.
        columns: the CSV columns; the builder receives their values in this order.
        stage: the staging columns after ``line`` as ``(name, SQL type)``; the
            builder returns records in this order, ``line`` first.
        build: turns parsed values into a staged record, resolving small refs and
            reporting errors on the context.
        refs: the ref tables the builder resolves (keys of ``REF_TABLES``).
        incoming: a SELECT over the staging table ``s`` giving ``insert`` columns.
        insert: the target columns ``incoming`` yields, in order.
        key: the upsert key (empty: the kind replaces a whole set instead).
        unique: staging columns that must be unique within one file.
        unique_label: the CSV columns behind ``unique``, named in the error.
        lookups: large refs checked in SQL.
        prepare: statements run just before the upsert (e.g. new user ids).
    """

    kind: str
    table: str
    columns: tuple[Column, ...]
    stage: tuple[tuple[str, str], ...]
    build: RowBuilder
    incoming: str
    insert: tuple[str, ...]
    key: tuple[str, ...]
    unique: tuple[str, ...] = ()
    unique_label: str = ""
    refs: tuple[str, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    prepare: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def updates(self, header: set[str]) -> tuple[str, ...]:
        """Target columns an upsert overwrites: all but the key, minus optional
        columns the file does not carry (those keep their stored value)."""
        absent = {c.target for c in self.columns if not c.required and c.name not in header}
        return tuple(c for c in self.insert if c not in self.key and c not in absent)
