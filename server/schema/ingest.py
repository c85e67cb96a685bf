"""The integration role's ingest mutations: one ``ingest<Kind>`` per DOMAIN.md
kind, generated from the ingestion specs so the columns are defined once.

Input fields are the kind's CSV columns in camelCase. Counts, numbers and
booleans are typed; dates, timestamps and enums stay strings so they pass the
very same validation as the CSV path (a timestamp without offset is a row error
with the same message, not a GraphQL type error)."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import strawberry
from strawberry.types.field import StrawberryField

from server.auth.principal import Role
from server.ingest import KINDS, IngestReport, ingest_rows
from server.ingest._specs import spec_for
from server.ingest._values import boolean, count, integer, number, rate
from server.naming import camel_case
from server.schema.context import Info
from server.schema.visibility import visible_to

_TYPES: dict[object, type] = {integer: int, count: int, number: float, rate: float, boolean: bool}


@strawberry.type(description="A rejected row: its index in `rows` (from 0), column and reason.")
class RowError:
    row: int
    column: str | None
    reason: str


@strawberry.type(description="One ingest call: all rows written (accepted) or none.")
class IngestResult:
    kind: str
    accepted: int
    errors: list[RowError]

    @classmethod
    def of(cls, report: IngestReport) -> IngestResult:
        return cls(
            kind=report.kind,
            accepted=report.accepted,
            errors=[
                RowError(row=e.line, column=_column(e.column), reason=e.reason)
                for e in report.errors
            ],
        )


def _column(name: str | None) -> str | None:
    """The input field name (camelCase) of a CSV column, as the caller sent it."""
    return None if name is None else camel_case(name)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _singular(kind: str) -> str:
    return kind[:-1] if kind.endswith("s") else kind


def _csv_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _row_input(kind: str) -> type:
    """``<Kind>RowInput`` with one field per CSV column (required ones non-null)."""
    spec = spec_for(kind)
    fields: list[tuple[str, Any, Any]] = []
    for column in spec.columns:
        python_type: Any = _TYPES.get(column.parse, str)
        if not column.required:
            python_type = python_type | None
        fields.append(
            (
                column.name,
                python_type,
                dataclasses.field(default=None) if not column.required else dataclasses.MISSING,
            )
        )
    fields.sort(key=lambda f: f[2] is not dataclasses.MISSING)  # required first
    cls = dataclasses.make_dataclass(f"{_pascal(_singular(kind))}RowInput", fields)
    return strawberry.input(cls, description=f"A row of {kind}.csv (DOMAIN.md), in camelCase.")


def _mutation(kind: str) -> StrawberryField:
    row_type = _row_input(kind)
    columns = [c.name for c in spec_for(kind).columns]

    async def resolve(info: Info, rows: list[row_type]) -> IngestResult:  # type: ignore[valid-type]
        mapped = [{c: _csv_text(getattr(row, c)) for c in columns} for row in rows]
        principal = info.context.principal
        report = await ingest_rows(
            info.context.engine, kind, mapped, importer_ref=principal.importer
        )
        return IngestResult.of(report)

    resolve.__annotations__ = {"info": Info, "rows": list[row_type], "return": IngestResult}  # type: ignore[valid-type]
    return cast(
        StrawberryField,
        strawberry.mutation(
            resolver=resolve,
            name=f"ingest{_pascal(kind)}",
            description=f"Upsert {kind} rows; one call is one transaction (any bad row: nothing).",
            metadata=visible_to(Role.INTEGRATION),
        ),
    )


IngestMutation = strawberry.type(
    type("IngestMutation", (), {f"ingest_{kind}": _mutation(kind) for kind in KINDS})
)
