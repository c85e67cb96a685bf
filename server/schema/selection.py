"""Which sub-fields a query asks of the current field, so a resolver loads only
the metric families it needs (through fragments and inline fragments too).

Read from graphql-core's AST: Strawberry's ``info.selected_fields`` converts the
whole sub-tree (names, arguments) on every call, which showed up as a hotspot
when hundreds of dashboards are resolved in one request."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode


def _names(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, Any],
    into: set[str],
    *,
    deep: bool,
) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            into.add(selection.name.value)
            if deep:
                _names(selection.selection_set, fragments, into, deep=True)
        elif isinstance(selection, InlineFragmentNode):
            _names(selection.selection_set, fragments, into, deep=deep)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            _names(fragment.selection_set if fragment else None, fragments, into, deep=deep)


def requested(info: Any, *, deep: bool = False) -> set[str]:
    """The field names selected under the field being resolved (``deep``: at any
    depth below it, e.g. to know whether any series is drawn)."""
    raw = info._raw_info
    names: set[str] = set()
    for node in raw.field_nodes:
        _names(node.selection_set, raw.fragments, names, deep=deep)
    return names
