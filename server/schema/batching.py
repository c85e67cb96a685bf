"""Fields of list items that can be resolved for the whole list in one call.

A field like ``Workshop.dashboard(period:)`` runs once per item under standard
execution: its arguments are converted again for every item and each item is
its own async resolver call. Tagging the field with ``batched_by(fn)`` lets the
fast execution path (server/schema/fast_execution.py) convert the arguments
once and call ``fn(info, sources, **arguments)`` once for every item of a list,
which must return what the field's own resolver returns for each source, in
order. The field's own resolver stays the reference: anything the batch call
cannot answer (an error, an item that is not plain) goes through it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.types.field import StrawberryField

BatchResolver = Callable[..., Awaitable[Sequence[Any]]]
"""``fn(info, sources, **converted_arguments)`` → one result per source, in order."""

_BATCH_KEY = "insights.batched_by"


def batched_by(fn: BatchResolver) -> dict[str, Any]:
    """Field metadata naming the batch form of the field's resolver."""
    return {_BATCH_KEY: fn}


def batch_of(field: StrawberryField) -> BatchResolver | None:
    """The batch form of ``field``'s resolver, if it declares one."""
    found: BatchResolver | None = dict(field.metadata or {}).get(_BATCH_KEY)
    return found
