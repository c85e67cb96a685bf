"""Fields of list items that can be resolved for the whole list in one call.

A field like ``Workshop.dashboard(period:)`` runs once per item under standard
execution: its arguments are converted again for every item and each item is
its own async resolver call. Tagging the field with ``batched_by(fn)`` lets the
fast execution path (server/schema/fast_execution.py) convert the arguments
once and call ``fn(info, sources, **arguments)`` once for every item of a list,
which must return what the field's own resolver returns for each source, in
order. The field's own resolver stays the reference: anything the batch call
cannot answer (an error, an item that is not plain) goes through it.

A field may also declare a columnar form, ``batched_by(fn, columns=cfn)``:
``cfn(info, sources, selection, **arguments)`` answers the field's *completed*
values (the response's dicts, as standard execution would write them) for
every source at once from the selection below the field, or None when it does
not handle that selection; then ``fn`` and per-item completion answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.types.field import StrawberryField

BatchResolver = Callable[..., Awaitable[Sequence[Any]]]
"""``fn(info, sources, **converted_arguments)`` → one result per source, in order."""

ColumnsResolver = Callable[..., Awaitable[list[Any] | None]]
"""``cfn(info, sources, selection, **converted_arguments)`` → one completed value
per source, in order, or None (not handled: the batch form answers)."""


@dataclass(frozen=True)
class Selected:
    """One field of a selection as execution collected it: aliases, fragments
    and ``@skip``/``@include`` applied, in response order.

    ``complete`` completes one value of the field exactly as execution would
    (raising where execution would report an error): for values that are the
    same for every item, completed once and shared."""

    key: str  # the response key (alias or name)
    name: str  # the field's name ("__typename" too)
    type_name: str  # the named type of its value
    arguments: bool  # the field is given arguments (its value may depend on them)
    below: tuple[Selected, ...]
    complete: Callable[[Any], Any]


Selection = tuple[Selected, ...]

_BATCH_KEY = "insights.batched_by"
_COLUMNS_KEY = "insights.columns_by"


def batched_by(fn: BatchResolver, columns: ColumnsResolver | None = None) -> dict[str, Any]:
    """Field metadata naming the batch form of the field's resolver (and its
    columnar form, if any)."""
    found: dict[str, Any] = {_BATCH_KEY: fn}
    if columns is not None:
        found[_COLUMNS_KEY] = columns
    return found


def batch_of(field: StrawberryField) -> BatchResolver | None:
    """The batch form of ``field``'s resolver, if it declares one."""
    found: BatchResolver | None = dict(field.metadata or {}).get(_BATCH_KEY)
    return found


def columns_of(field: StrawberryField) -> ColumnsResolver | None:
    """The columnar form of ``field``'s resolver, if it declares one."""
    found: ColumnsResolver | None = dict(field.metadata or {}).get(_COLUMNS_KEY)
    return found
