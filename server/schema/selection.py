"""Which sub-fields a query asks of the current field, so a resolver loads only
the metric families it needs (through fragments and inline fragments too)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def _names(selections: Iterable[Selection]) -> set[str]:
    names: set[str] = set()
    for selection in selections:
        if isinstance(selection, SelectedField):
            names.add(selection.name)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            names |= _names(selection.selections)
    return names


def requested(info: Any) -> set[str]:
    """The field names selected under the field being resolved."""
    return _names(info.selected_fields[0].selections) if info.selected_fields else set()
