"""The integration role's ingest mutations: one ``ingest<Kind>`` per
file kind, generated from the ingestion specs so the columns are defined once.

Input fields are the kind's CSV columns in camelCase. Counts, numbers, booleans
and timestamps (the DateTime scalar, which requires an offset) are typed; dates
and enums stay strings so they pass the very same validation as the CSV path.
Every value is turned back into CSV text and parsed like a file's cell."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.types.field import StrawberryField

from server.auth.principal import Role
from server.ingest import KINDS, FactWindow, IngestReport, ingest_rows
from server.ingest._specs import spec_for
from server.ingest._values import boolean, count, integer, number, rate, timestamp, year
from server.ingest.formats import KIND_DOCS, describe_column
from server.naming import camel_case
from server.observability.metrics import observe_ingest
from server.schema.context import Info
from server.schema.scalars import Instant
from server.schema.visibility import visible_to

_TYPES: dict[object, object] = {
    integer: int,
    count: int,
    year: int,
    number: float,
    rate: float,
    boolean: bool,
    timestamp: Instant,
}


@strawberry.type(description="A rejected row: its index in `rows` (from 0), column and reason.")
class RowError:
    row: int = strawberry.field(description="Index of the row in `rows`, from 0.")
    column: str | None = strawberry.field(
        description="The input field (camelCase, as sent) at fault; null for the row as a whole."
    )
    reason: str = strawberry.field(description="What is wrong and how to fix it.")


@strawberry.type(description="One ingest call: all rows written (accepted) or none.")
class IngestResult:
    kind: str = strawberry.field(description="The kind of rows (the CSV file name stem).")
    accepted: int = strawberry.field(description="Rows written: all of them, or 0 on errors.")
    errors: list[RowError] = strawberry.field(description="Every rejected row with its reason.")

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
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _row_input(kind: str) -> type:
    """``<Kind>RowInput`` with one field per CSV column (required ones non-null)."""
    spec = spec_for(kind)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for column in sorted(spec.columns, key=lambda c: not c.required):  # required first
        python_type: Any = _TYPES.get(column.parse, str)
        text = describe_column(kind, column)
        if column.required:
            annotations[column.name] = python_type
            namespace[column.name] = strawberry.field(description=text)
        else:
            annotations[column.name] = python_type | None
            namespace[column.name] = strawberry.field(default=None, description=text)
    cls = type(f"{_pascal(_singular(kind))}RowInput", (), namespace)
    return strawberry.input(
        cls,
        description=f"{KIND_DOCS[kind].row} A row of {kind}.csv with its columns in "
        "camelCase; the columns and their rules: docs/csv-formats.md.",
    )


def _mutation(kind: str) -> StrawberryField:
    row_type = _row_input(kind)
    columns = [c.name for c in spec_for(kind).columns]

    async def resolve(info: Info, rows: list[row_type]) -> IngestResult:  # type: ignore[valid-type]
        mapped = [{c: _csv_text(getattr(row, c)) for c in columns} for row in rows]
        principal = info.context.principal
        report = await ingest_rows(
            info.context.engine,
            kind,
            mapped,
            importer_ref=principal.importer,
            window=FactWindow.of(info.context.settings),
        )
        observe_ingest(report)
        return IngestResult.of(report)

    rows_arg = Annotated[
        list[row_type],  # type: ignore[valid-type]
        strawberry.argument(description=f"The {kind} rows; at most as many as a request allows."),
    ]
    resolve.__annotations__ = {"info": Info, "rows": rows_arg, "return": IngestResult}
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
    type("IngestMutation", (), {f"ingest_{kind}": _mutation(kind) for kind in KINDS}),
    description="The integration role's writes.",
)
