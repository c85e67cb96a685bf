"""Completing plain-data sub-trees in one pass instead of field by field.

Standard execution costs ~4.5 µs per field (resolve info, path, resolver
wrapper, completion): a list of 2,000 dashboards is ~100k fields. Most of them
are plain data — a prepared object's attributes (metric values, trends, points)
— so where every field selected below an object is a plain attribute (no
resolver, arguments, permissions or field extensions) of an object type without
``is_type_of``, the object is completed here by reading the attributes and
coercing the leaves exactly as graphql-core does. Anything else (resolvers,
abstract types, ``@defer``, resolve middleware, a value that would be an error)
takes the standard path, which then produces the same answer or the same error.

A differential test runs every example and benchmark query for every role both
ways and requires identical JSON (tests/test_fast_execution.py).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_DEFINITION = "strawberry-definition"


class _Fallback(Exception):
    """This value needs the standard path (it knows how to report the problem)."""


def _plain_attribute(field: GraphQLField) -> str | None:
    """The Python attribute a field reads when it is plain data, else None."""
    definition = (field.extensions or {}).get(_DEFINITION)
    if (
        definition is None
        or definition.base_resolver is not None
        or definition.permission_classes
        or definition.extensions
        or definition.arguments
        or field.args
    ):
        return None
    name: str = definition.python_name
    return name


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the plain-data shortcut."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # a resolve middleware (a schema extension's ``resolve``) must see every field
        self._fast = not (middleware is not None and middleware.middlewares)
        self._plain: dict[tuple[str, int], tuple[FieldDetailsList, bool]] = {}

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

    # -- which selections are plain (worked out once per request and selection)

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
            if field is None or _plain_attribute(field) is None:
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

    # -- completing plain values

    def _object(
        self, type_: GraphQLObjectType, details: FieldDetailsList, value: Any
    ) -> dict[str, Any]:
        grouped, *_ = self.collect_subfields(type_, details)
        out: dict[str, Any] = {}
        for key, group in grouped.items():
            name = group[0].node.name.value
            if name == "__typename":
                out[key] = type_.name
                continue
            field = type_.fields[name]
            attribute = _plain_attribute(field)
            assert attribute is not None  # checked by _is_plain_object
            out[key] = self._value(field.type, group, getattr(value, attribute))
        return out

    def _value(self, type_: GraphQLOutputType, details: FieldDetailsList, value: Any) -> Any:
        if isinstance(type_, GraphQLNonNull):
            if value is None:
                raise _Fallback
            return self._value(type_.of_type, details, value)
        if value is None:
            return None
        if self.is_awaitable(value):
            raise _Fallback
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list | tuple):
                raise _Fallback
            return [self._value(type_.of_type, details, item) for item in value]
        if is_leaf_type(type_):
            try:
                return self.complete_leaf_value(type_, value)
            except TypeError:
                raise _Fallback from None
        assert isinstance(type_, GraphQLObjectType)
        return self._object(type_, details, value)
