"""Completing plain-data sub-trees in one pass instead of field by field.

Standard execution costs ~4.5 µs per field (resolve info, path, resolver
wrapper, completion): a list of 2,000 dashboards is ~100k fields. Most of them
are plain data — a prepared object's attributes (metric values, trends, points)
or a synchronous method of it that takes no arguments (``leadsCreated``) — so
where every field selected below an object is plain (no async resolver,
arguments, permissions or field extensions) and the object type has no
``is_type_of``, the object is completed here by reading the attributes and
coercing the leaves exactly as graphql-core does.

Lists go one step further: where the items' fields are plain except fields
declaring a batch form (server/schema/batching.py, e.g. ``Workshop.dashboard``),
the arguments of each such field are converted once and the batch form is
called once for the whole list, then every item is completed in one pass — not
one argument conversion and one async resolver call per item.

A batched field may also declare a columnar form (server/schema/batching.py):
given the selection below the field, already collected here (aliases,
fragments, directives applied), it answers every item's completed value at
once — a list of dashboards straight from columns of numbers, without an
object per item — or declines, and the path above answers.

Anything else (abstract types, ``@defer``/``@stream``, resolve middleware, a
value or a resolver that would be an error) takes the standard path, which then
produces the same answer or the same error.

A differential test runs every example and benchmark query for every role both
ways and requires identical JSON (tests/test_fast_execution.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from server.schema.batching import (
    BatchResolver,
    ColumnsResolver,
    Selected,
    Selection,
    batch_of,
    columns_of,
)
from server.schema.row_template import rows

_DEFINITION = "strawberry-definition"


class _Fallback(Exception):
    """This value needs the standard path (it knows how to report the problem)."""


Reader = Callable[[Any], Any]


def _definition(field: GraphQLField) -> StrawberryField | None:
    found: StrawberryField | None = (field.extensions or {}).get(_DEFINITION)
    return found


def _plain_reader(field: GraphQLField) -> Reader | None:
    """How to read a field's value from its source when it is plain data (an
    attribute, or a synchronous method taking nothing but ``self``), else None."""
    definition = _definition(field)
    if (
        definition is None
        or definition.permission_classes
        or definition.extensions
        or definition.arguments
        or field.args
    ):
        return None
    resolver = definition.base_resolver
    if resolver is None:
        name = definition.python_name
        return lambda source: getattr(source, name)
    if (
        resolver.is_async
        or resolver.self_parameter is None
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.arguments
    ):
        return None
    return lambda source: definition.get_result(source, None, [source], {})


def _batch_resolver(field: GraphQLField) -> tuple[BatchResolver, ColumnsResolver | None] | None:
    """The batch form of a field with a resolver (and its columnar form), when
    it declares one."""
    definition = _definition(field)
    if definition is None or definition.permission_classes or definition.extensions:
        return None
    batch = batch_of(definition)
    return None if batch is None else (batch, columns_of(definition))


_Complete = Callable[..., dict[str, Any]]
"""Completes a plain object: ``(value, batched=None, done=())`` → its response
dict (``done``: the keys of ``batched`` whose values are completed already)."""

_Parts = list[tuple[str, Reader, Callable[[Any], Any]]]
"""An object's selected fields: response key, how to read it, how to complete it."""

_Batch = tuple[str, GraphQLField, FieldDetailsList, BatchResolver, ColumnsResolver | None]
"""A batched field of list items: response key, field, its selections, batch
form, columnar form."""


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the plain-data shortcut."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # a resolve middleware (a schema extension's ``resolve``) must see every field
        self._fast = not (middleware is not None and middleware.middlewares)
        self._plain: dict[tuple[str, int], tuple[FieldDetailsList, bool]] = {}
        self._batches: dict[tuple[str, int], tuple[FieldDetailsList, list[_Batch] | None]] = {}
        self._readers: dict[int, tuple[GraphQLField, Reader | None]] = {}
        self._completers: dict[tuple[str, int], tuple[FieldDetailsList, _Complete]] = {}
        self._selections: dict[tuple[str, int], tuple[FieldDetailsList, Selection | None]] = {}
        self._parts: dict[tuple[str, int], tuple[FieldDetailsList, _Parts]] = {}

    def build_response(self, data: dict[str, Any] | None) -> Any:
        """The answer, once the request's compiled completers are dropped: each
        refers back to this context, so kept they would be reference cycles
        (118,000 objects for 50 partner dashboards) left for a full garbage
        collection to find; dropped, reference counting frees them now. Any
        later use (deferred work) compiles them again."""
        for memo in (
            self._plain,
            self._batches,
            self._readers,
            self._completers,
            self._selections,
            self._parts,
            self._relevant_sub_fields,  # graphql-core's own memo of collected subfields
        ):
            memo.clear()
        return super().build_response(data)

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if self._fast and self._is_plain_object(return_type, field_details_list):
            try:
                return self._object(return_type, field_details_list, result)
            except _Fallback:
                pass
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if self._fast and isinstance(result, list | tuple) and result:
            item_type = return_type.of_type
            if isinstance(item_type, GraphQLNonNull):
                item_type = item_type.of_type
            if (
                isinstance(item_type, GraphQLObjectType)
                and all(item is not None for item in result)
                and self.get_stream_usage(field_details_list, path) is None
            ):
                batches = self._batched_fields(item_type, field_details_list)
                if batches:
                    return self._complete_batched(
                        item_type,
                        batches,
                        list(result),
                        (return_type, field_details_list, info, path, result, position_context),
                    )
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    async def _complete_batched(
        self,
        type_: GraphQLObjectType,
        batches: list[_Batch],
        items: list[Any],
        standard: tuple[Any, ...],
    ) -> Any:
        """Each batched field resolved once for all items, then every item
        completed in one pass; else the standard path (it reports errors)."""
        _, details, _, path, _, _ = standard
        try:
            # concurrently: aliased fields (and aliased pages) share loader batches
            resolved = await asyncio.gather(
                *(self._resolve_batch(type_, batch, items, path) for batch in batches)
            )
            by_key = [batch[0] for batch in batches]
            done = frozenset(
                k for k, (_, completed) in zip(by_key, resolved, strict=True) if completed
            )
            values = dict(zip(by_key, (v for v, _ in resolved), strict=True))
            return self._complete_rows(type_, details, items, values, done)
        except Exception:  # the standard path answers: the same value or the same error
            pass
        completed = super().complete_list_value(*standard)
        return await completed if self.is_awaitable(completed) else completed

    async def _resolve_batch(
        self, type_: GraphQLObjectType, batch: _Batch, items: list[Any], path: Any
    ) -> tuple[Sequence[Any], bool]:
        """The field's value per item, and whether those are completed already
        (the columnar form answered) rather than values to complete."""
        key, field, group, resolve, columns = batch
        first = group[0]
        node = first.node
        arguments = (
            get_argument_values(
                field,
                node,
                self.variable_values,
                first.fragment_variable_values,
                self.hide_suggestions,
            )
            if field.args or node.arguments
            else {}
        )
        strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        definition = _definition(field)
        raw = self.build_resolve_info(
            field, to_nodes(group), type_, path.add_key(0, None).add_key(key, type_.name)
        )
        info = strawberry_schema.config.info_class(_raw_info=raw, _field=definition)
        assert definition is not None  # checked by _batched_fields
        converted = convert_arguments(
            arguments,
            definition.arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
            info=info,
        )
        if columns is not None:
            selection = self._selection(field.type, group)
            if selection is not None:
                completed = await columns(info, items, selection, **converted)
                if completed is not None:
                    if len(completed) != len(items):
                        raise _Fallback
                    return completed, True
        values = await resolve(info, items, **converted)
        if len(values) != len(items):
            raise _Fallback
        return values, False

    # -- the selection below a field, for columnar forms (once per request and selection)

    def _selection(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Selection | None:
        """What is selected below a field of ``type_``: None when that is not an
        object type or uses what a columnar form cannot see (``@defer``)."""
        while isinstance(type_, GraphQLNonNull | GraphQLList):
            type_ = type_.of_type
        if not isinstance(type_, GraphQLObjectType) or type_.is_type_of is not None:
            return None
        key = (type_.name, id(details))
        found = self._selections.get(key)
        if found is None:
            found = self._selections[key] = (details, self._collect_selection(type_, details))
        return found[1]

    def _collect_selection(
        self, type_: GraphQLObjectType, details: FieldDetailsList
    ) -> Selection | None:
        grouped, defer_usages, *_ = self.collect_subfields(type_, details)
        if defer_usages:
            return None
        selected: list[Selected] = []
        for response_key, group in grouped.items():
            name = group[0].node.name.value
            if name == "__typename":
                selected.append(
                    Selected(response_key, name, "String", False, (), _constant(type_.name))
                )
                continue
            field = type_.fields.get(name)
            if field is None:
                return None
            named: Any = field.type
            while isinstance(named, GraphQLNonNull | GraphQLList):
                named = named.of_type
            if isinstance(named, GraphQLAbstractType):
                return None
            below: Selection = ()
            if isinstance(named, GraphQLObjectType):
                found = self._selection(named, group)
                if found is None:
                    return None
                below = found
            arguments = bool(field.args) or any(d.node.arguments for d in group)
            complete = _lazy(partial(self._completer, field.type, group))
            selected.append(Selected(response_key, name, named.name, arguments, below, complete))
        return tuple(selected)

    # -- which selections are plain (worked out once per request and selection)

    def _reader(self, field: GraphQLField) -> Reader | None:
        found = self._readers.get(id(field))
        if found is None:
            found = self._readers[id(field)] = (field, _plain_reader(field))
        return found[1]

    def _batched_fields(
        self, type_: GraphQLObjectType, details: FieldDetailsList
    ) -> list[_Batch] | None:
        """The batched fields of a list's items when all their other fields are
        plain and every batched field's value is plain below it, else None."""
        key = (type_.name, id(details))
        found = self._batches.get(key)
        if found is None:
            found = self._batches[key] = (details, self._find_batches(type_, details))
        return found[1]

    def _find_batches(
        self, type_: GraphQLObjectType, details: FieldDetailsList
    ) -> list[_Batch] | None:
        if type_.is_type_of is not None:
            return None
        grouped, defer_usages, *_ = self.collect_subfields(type_, details)
        if defer_usages:
            return None
        batches: list[_Batch] = []
        for response_key, group in grouped.items():
            name = group[0].node.name.value
            if name == "__typename":
                continue
            field = type_.fields.get(name)
            if field is None or not self._is_plain_type(field.type, group):
                return None
            if self._reader(field) is not None:
                continue
            forms = _batch_resolver(field)
            if forms is None:
                return None
            batches.append((response_key, field, group, *forms))
        return batches or None

    def _is_plain_object(self, type_: GraphQLObjectType, details: FieldDetailsList) -> bool:
        key = (type_.name, id(details))
        found = self._plain.get(key)
        if found is not None:
            return found[1]
        plain = type_.is_type_of is None and self._all_plain(type_, details)
        self._plain[key] = (details, plain)  # keep ``details`` alive: its id is the key
        return plain

    def _all_plain(self, type_: GraphQLObjectType, details: FieldDetailsList) -> bool:
        grouped, defer_usages, *_ = self.collect_subfields(type_, details)
        if defer_usages:
            return False
        for group in grouped.values():
            name = group[0].node.name.value
            if name == "__typename":
                continue
            field = type_.fields.get(name)
            if field is None or self._reader(field) is None:
                return False
            if not self._is_plain_type(field.type, group):
                return False
        return True

    def _is_plain_type(self, type_: GraphQLOutputType, details: FieldDetailsList) -> bool:
        while isinstance(type_, GraphQLNonNull | GraphQLList):
            type_ = type_.of_type
        if is_leaf_type(type_):
            return True
        if isinstance(type_, GraphQLObjectType):
            return self._is_plain_object(type_, details)
        return False

    # -- completing plain values, with completers compiled once per selection

    def _object(
        self,
        type_: GraphQLObjectType,
        details: FieldDetailsList,
        value: Any,
        batched: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``batched``: values of the batched fields, by response key."""
        return self._object_completer(type_, details)(value, batched)

    def _object_completer(self, type_: GraphQLObjectType, details: FieldDetailsList) -> _Complete:
        key = (type_.name, id(details))
        found = self._completers.get(key)
        if found is None:
            found = self._completers[key] = (details, self._compile_object(type_, details))
        return found[1]

    def _complete_rows(
        self,
        type_: GraphQLObjectType,
        details: FieldDetailsList,
        items: list[Any],
        batched: dict[str, Sequence[Any]],
        done: frozenset[str],
    ) -> list[dict[str, Any]]:
        """Every item of a list completed field by field down the list (a column
        per field, then a dict per row): what ``_object`` gives per item, with
        the batched fields' values given per item in ``batched``."""
        parts = self._object_parts(type_, details)
        columns: list[Sequence[Any]] = []
        for response_key, read, complete_value in parts:
            found = batched.get(response_key)
            if found is None:
                try:
                    found = [read(item) for item in items]
                except Exception:  # the standard path reports it
                    raise _Fallback from None
            elif response_key in done:
                columns.append(found)
                continue
            columns.append([complete_value(value) for value in found])
        return rows([key for key, _, _ in parts], columns)

    def _object_parts(self, type_: GraphQLObjectType, details: FieldDetailsList) -> _Parts:
        key = (type_.name, id(details))
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = (details, self._collect_parts(type_, details))
        return found[1]

    def _collect_parts(self, type_: GraphQLObjectType, details: FieldDetailsList) -> _Parts:
        grouped, *_ = self.collect_subfields(type_, details)
        parts: _Parts = []
        for response_key, group in grouped.items():
            name = group[0].node.name.value
            if name == "__typename":
                parts.append((response_key, _constant(type_.name), _same))
                continue
            field = type_.fields[name]
            # a batched field has no reader: its value comes in ``batched``
            read = self._reader(field) or _unread
            parts.append((response_key, read, self._completer(field.type, group)))
        return parts

    def _compile_object(self, type_: GraphQLObjectType, details: FieldDetailsList) -> _Complete:
        parts = self._object_parts(type_, details)

        def complete(
            value: Any, batched: dict[str, Any] | None = None, done: frozenset[str] = frozenset()
        ) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for response_key, read, complete_value in parts:
                if batched is not None and response_key in batched:
                    found = batched[response_key]
                    if response_key in done:
                        out[response_key] = found
                        continue
                else:
                    try:
                        found = read(value)
                    except Exception:  # the standard path reports it
                        raise _Fallback from None
                out[response_key] = complete_value(found)
            return out

        return complete

    def _completer(
        self, type_: GraphQLOutputType, details: FieldDetailsList
    ) -> Callable[[Any], Any]:
        """Completes a value of ``type_`` as graphql-core would, raising
        ``_Fallback`` where graphql-core would report an error."""
        is_awaitable = self.is_awaitable
        if isinstance(type_, GraphQLNonNull):
            inner = self._completer(type_.of_type, details)

            def non_null(value: Any) -> Any:
                if value is None:
                    raise _Fallback
                return inner(value)

            return non_null
        if isinstance(type_, GraphQLList):
            item = self._completer(type_.of_type, details)

            def list_(value: Any) -> Any:
                if value is None:
                    return None
                if is_awaitable(value) or not isinstance(value, list | tuple):
                    raise _Fallback
                return [item(v) for v in value]

            return list_
        if is_leaf_type(type_):
            coerce = type_.coerce_output_value

            def leaf(value: Any) -> Any:
                if value is None:
                    return None
                if is_awaitable(value):
                    raise _Fallback
                try:
                    coerced = coerce(value)
                except Exception:  # the standard path reports it, at this leaf
                    raise _Fallback from None
                if coerced is None or coerced is Undefined:
                    raise _Fallback
                return coerced

            return leaf
        assert isinstance(type_, GraphQLObjectType)
        object_ = self._object_completer(type_, details)

        def object_value(value: Any) -> Any:
            if value is None:
                return None
            if is_awaitable(value):
                raise _Fallback
            return object_(value)

        return object_value


def _constant(value: Any) -> Reader:
    return lambda _: value


def _lazy(make: Callable[[], Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """A completer compiled on its first use (most selected fields never need one)."""
    compiled: list[Callable[[Any], Any]] = []

    def complete(value: Any) -> Any:
        if not compiled:
            compiled.append(make())
        return compiled[0](value)

    return complete


def _same(value: Any) -> Any:
    return value


def _unread(value: Any) -> Any:
    raise _Fallback  # a batched field without its batched value: never plain
