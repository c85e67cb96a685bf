"""How large a document becomes once its fragments are inlined, measured
without inlining them.

graphql-core's standard rules and strawberry's limiters walk every fragment
spread as if it were written out: ``fragment Fi on Query { ...F(i-1) ...F(i-1) }``
doubles their work per level (21 levels of 878 bytes took 18.5 s of CPU), and
fields that share one response name are compared pairwise by
OverlappingFieldsCanBeMerged (1,600 of them took 2.2 s). These counts are linear
in the document's size (each fragment is counted once and reused), so they can
run before any of those rules and refuse such a document in milliseconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class Repeat:
    """The response path with the most fields answering to it (fragments inlined)."""

    path: str
    count: int


@dataclass(frozen=True)
class _Local:
    """One definition's own fields and aliases, and the fragments it spreads."""

    fields: int
    aliases: int
    spreads: Counter[str]


def _selections(selection_set: SelectionSetNode | None) -> Iterator[object]:
    """Every selection under ``selection_set``, at any depth (without following spreads)."""
    stack = [selection_set] if selection_set is not None else []
    while stack:
        current = stack.pop()
        for selection in current.selections:
            yield selection
            nested = getattr(selection, "selection_set", None)
            if nested is not None:
                stack.append(nested)


def _local(selection_set: SelectionSetNode) -> _Local:
    fields = aliases = 0
    spreads: Counter[str] = Counter()
    for selection in _selections(selection_set):
        if isinstance(selection, FieldNode):
            fields += 1
            aliases += selection.alias is not None
        elif isinstance(selection, FragmentSpreadNode):
            spreads[selection.name.value] += 1
    return _Local(fields, aliases, spreads)


class DocumentShape:
    """Counts over one parsed document; each fragment is counted once.

    Example:
        >>> shape = DocumentShape(parse("query { ...F } fragment F on Query { me { sub } }"))
        >>> shape.expanded_fields(None)
        2
    """

    def __init__(self, document: DocumentNode) -> None:
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        self.operations: list[OperationDefinitionNode] = []
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragments.setdefault(definition.name.value, definition)
            elif isinstance(definition, OperationDefinitionNode):
                self.operations.append(definition)
        self._locals = {
            name: _local(fragment.selection_set) for name, fragment in self.fragments.items()
        }
        self.cyclic = False
        self._totals = self._fragment_totals()

    @property
    def aliases(self) -> int:
        """Aliased fields as written (fragments counted once), like MaxAliasesLimiter."""
        written = sum(_local(op.selection_set).aliases for op in self.operations)
        return written + sum(local.aliases for local in self._locals.values())

    def _fragment_totals(self) -> dict[str, int]:
        """Fields per fragment with every spread inside it inlined, by an
        iterative post-order walk; a spread that closes a cycle counts 0 (the
        standard rule NoFragmentCycles refuses such documents cheaply)."""
        totals: dict[str, int] = {}
        on_stack: set[str] = set()
        for root in self.fragments:
            if root in totals:
                continue
            stack: list[tuple[str, bool]] = [(root, False)]
            while stack:
                name, children_done = stack.pop()
                local = self._locals[name]
                if children_done:
                    on_stack.discard(name)
                    totals[name] = local.fields + sum(
                        count * totals.get(spread, 0) for spread, count in local.spreads.items()
                    )
                    continue
                if name in totals:
                    continue
                on_stack.add(name)
                stack.append((name, True))
                for spread in local.spreads:
                    if spread in on_stack:
                        self.cyclic = True
                    elif spread in self._locals and spread not in totals:
                        stack.append((spread, False))
        return totals

    def _operation(self, name: str | None) -> list[OperationDefinitionNode]:
        if name is None:
            return self.operations
        return [op for op in self.operations if op.name and op.name.value == name]

    def expanded_fields(self, operation_name: str | None) -> int:
        """Fields of the operation (all of them when unnamed) once every spread is inlined."""
        total = 0
        for operation in self._operation(operation_name):
            local = _local(operation.selection_set)
            total += local.fields + sum(
                count * self._totals.get(spread, 0) for spread, count in local.spreads.items()
            )
        return total

    def largest_repeat(self, operation_name: str | None) -> Repeat:
        """The response path answered by the most fields, fragments inlined.

        Fields with one response name at one place are merged and compared pair by
        pair; bounding the largest group bounds that work by (group size x
        fields). Call only after ``expanded_fields`` was found bounded (the walk
        inlines fragments) and on a document without fragment cycles.
        """
        best = Repeat("", 0)
        groups: list[tuple[str, list[SelectionSetNode]]] = [
            ("", [op.selection_set]) for op in self._operation(operation_name)
        ]
        while groups:
            path, sets = groups.pop()
            by_key: dict[str, list[SelectionSetNode]] = {}
            counts: Counter[str] = Counter()
            for field in self._fields_of(sets):
                key = (field.alias or field.name).value
                counts[key] += 1
                if field.selection_set is not None:
                    by_key.setdefault(key, []).append(field.selection_set)
            for key, count in counts.items():
                if count > best.count:
                    best = Repeat(f"{path}.{key}" if path else key, count)
            for key, nested in by_key.items():
                groups.append((f"{path}.{key}" if path else key, nested))
        return best

    def _fields_of(self, sets: Iterable[SelectionSetNode]) -> Iterator[FieldNode]:
        """The fields directly in ``sets``, inline fragments and spreads inlined."""
        stack = list(sets)
        while stack:
            for selection in stack.pop().selections:
                if isinstance(selection, FieldNode):
                    yield selection
                elif isinstance(selection, InlineFragmentNode):
                    stack.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment is not None:
                        stack.append(fragment.selection_set)
