"""The small references (importers, workshops, marketplaces, sales partners),
loaded once per file and resolved in Python.

A ref is unique within its importer only. Loaded for an integration
(``scope``), only that importer's refs exist; otherwise a ref found in several
importers cannot be resolved and the sender must name the importer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# The tables a kind may point at by ref: label -> (table, ref column).
REF_TABLES: dict[str, tuple[str, str]] = {
    "workshop": ("workshops", "workshop_ref"),
    "marketplace": ("marketplaces", "marketplace_ref"),
    "partner": ("sales_partners", "partner_ref"),
}


@dataclass
class RefTable:
    """Refs of one table: by (importer, ref), and by ref alone across importers."""

    within: dict[tuple[int, str], int] = field(default_factory=dict)
    anywhere: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[tuple[int, str, int]]) -> RefTable:
        table = cls()
        for importer_id, ref, row_id in rows:
            table.within[(importer_id, ref)] = row_id
            table.anywhere.setdefault(ref, []).append((importer_id, row_id))
        return table


@dataclass
class Refs:
    """Everything a file may point at by a small ref."""

    scope: str | None
    scope_id: int | None
    importers: dict[str, int]
    importer_refs: dict[int, str]
    tables: dict[str, RefTable]


async def load_refs(conn: Any, labels: Iterable[str], scope: str | None) -> Refs:
    """Read the importers and the ref tables named by ``labels`` (keys of
    REF_TABLES) inside the load's transaction, limited to ``scope`` if given."""
    rows = await conn.fetch("SELECT id, importer_ref FROM importers")
    importers = {row["importer_ref"]: row["id"] for row in rows}
    scope_id = importers.get(scope) if scope is not None else None
    if scope is not None:
        importers = {scope: scope_id} if scope_id is not None else {}
    tables: dict[str, RefTable] = {}
    for label in labels:
        table, ref_column = REF_TABLES[label]
        sql = f"SELECT importer_id, {ref_column}, id FROM {table}"
        if scope is not None:
            found = await conn.fetch(sql + " WHERE importer_id = $1", scope_id)
        else:
            found = await conn.fetch(sql)
        tables[label] = RefTable.of((r[0], r[1], r[2]) for r in found)
    return Refs(
        scope=scope,
        scope_id=scope_id,
        importers=importers,
        importer_refs={i: ref for ref, i in importers.items()},
        tables=tables,
    )
