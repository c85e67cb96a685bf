"""A static estimate of what a GraphQL document will cost, from its AST alone.

One unit is about one resolved field or one day of one rollup family read:

- every field costs 1;
- a field with a ``first`` argument multiplies what is under it by that number
  (the schema's default when omitted, at most ``MAX_PAGE``); a list without one
  (sales partners, workshop activity, outflow by partner) by ``UNBOUNDED_LIST``,
  and a series by its number of buckets;
- a dashboard adds, per metric family its selection touches, the days it reads
  (the period and the previous period). Families come from the metric catalog:
  the rollup table holding an additive formula's components, the id sets of a
  distinct count, or the metric itself when it is computed another way.

The estimate is deliberately pessimistic where it cannot know (an unknown or
malformed period counts as the longest one allowed) and exact in how it follows
fragments: each fragment is costed once per place it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    parse,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined
from sqlmodel import SQLModel

import server.models.rollups  # noqa: F401  (registers the rollup tables)
from server.metrics.catalog import CATALOG
from server.metrics.definition import DashboardKind, MetricDef
from server.metrics.formulas import Distinct
from server.metrics.periods import MAX_SPAN_DAYS, Period, Preset, resolve_period
from server.metrics.series import Granularity, buckets
from server.schema.activations import ActivationsDashboard
from server.schema.connection import DEFAULT_PAGE, MAX_PAGE
from server.schema.partners import PartnerDashboard

UNBOUNDED_LIST = 50
"""Items assumed in a list that takes no ``first``: a default page."""

_DASHBOARD_TYPES: dict[str, DashboardKind] = {
    ActivationsDashboard.__strawberry_definition__.name: DashboardKind.ACTIVATIONS,  # type: ignore[attr-defined]
    PartnerDashboard.__strawberry_definition__.name: DashboardKind.PARTNER,  # type: ignore[attr-defined]
}


def _rollup_columns() -> dict[str, frozenset[str]]:
    return {
        table.name: frozenset(table.columns.keys()) for table in SQLModel.metadata.sorted_tables
    }


def metric_family(entry: MetricDef) -> str:
    """What one SQL statement reads for ``entry``: metrics of one family share it.

    Example:
        >>> metric_family(metric("pickRate"))
        'partner_offer_day'
    """
    formula = entry.formula
    if isinstance(formula, Distinct):
        return f"distinct:{formula.kind}"
    if formula is not None:
        components = set(formula.components)
        for table, columns in _rollup_columns().items():
            if components <= columns:
                return table
    return entry.key


_FAMILIES: dict[DashboardKind, dict[str, str]] = {
    kind: {entry.key: metric_family(entry) for entry in CATALOG if entry.dashboard is kind}
    for kind in DashboardKind
}


@cache
def _preset_days(preset: Preset) -> int:
    """The most days ``preset`` can span, over every day of a leap year."""
    first = date(2024, 1, 1)
    return max(
        resolve_period(preset, None, None, as_of=first + timedelta(days=n)).days for n in range(366)
    )


@cache
def _bucket_count(days: int, granularity: Granularity) -> int:
    # A period starting on a Sunday splits into the most weeks.
    start = date(2023, 12, 31)
    return len(buckets(Period(start, start + timedelta(days=days - 1)), granularity))


def _period_days(period: object) -> int:
    if not isinstance(period, Mapping):
        return MAX_SPAN_DAYS
    preset = period.get("preset")
    if preset is not None and preset != Preset.CUSTOM.value:
        try:
            return _preset_days(Preset(preset))
        except ValueError:
            return MAX_SPAN_DAYS
    try:
        start = date.fromisoformat(str(period.get("from")))
        end = date.fromisoformat(str(period.get("to")))
    except ValueError:
        return MAX_SPAN_DAYS
    return min(max((end - start).days + 1, 1), MAX_SPAN_DAYS)


@dataclass(frozen=True)
class _Dashboard:
    kind: DashboardKind
    days: int


@dataclass(frozen=True)
class _Cost:
    units: int
    families: frozenset[str]  # of the enclosing dashboard, touched by this selection


_NOTHING = _Cost(0, frozenset())


class _Estimator:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = dict(variables)
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._memo: dict[tuple[str, str, _Dashboard | None, int | None], _Cost] = {}

    def selection_set(
        self,
        node: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        dashboard: _Dashboard | None,
        page: int | None,
    ) -> _Cost:
        if node is None:
            return _NOTHING
        units = 0
        families: set[str] = set()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                part = self.field(selection, parent, dashboard, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                part = self.selection_set(selection.selection_set, inner, dashboard, page)
            elif isinstance(selection, FragmentSpreadNode):
                part = self.spread(selection.name.value, dashboard, page)
            else:  # pragma: no cover - the three selection kinds above are all there are
                continue
            units += part.units
            families |= part.families
        return _Cost(units, frozenset(families))

    def spread(self, name: str, dashboard: _Dashboard | None, page: int | None) -> _Cost:
        fragment = self.fragments.get(name)
        if fragment is None:
            return _NOTHING
        condition = fragment.type_condition.name.value
        key = (name, condition, dashboard, page)
        if key not in self._memo:
            self._memo[key] = _NOTHING  # a cycle (refused by validation) costs nothing more
            inner = self.schema.get_type(condition)
            self._memo[key] = self.selection_set(fragment.selection_set, inner, dashboard, page)
        return self._memo[key]

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        dashboard: _Dashboard | None,
        page: int | None,
    ) -> _Cost:
        definition = _field_definition(parent, node.name.value)
        if definition is None:  # __typename, introspection: 1 per field below
            below = self.selection_set(node.selection_set, None, None, None)
            return _Cost(1 + below.units, frozenset())
        arguments = self.arguments(node, definition)
        named = get_named_type(definition.type)
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        factor, inner_page = 1, None
        if "first" in definition.args:
            count = _page_size(arguments.get("first"), arguments.get("last"))
            if is_list:
                factor = count
            else:
                inner_page = count  # a connection: its lists hold `first` items
        elif is_list and "granularity" in definition.args and dashboard is not None:
            factor = _bucket_count(dashboard.days, _granularity(arguments.get("granularity")))
        elif is_list:
            factor = page if page is not None else UNBOUNDED_LIST

        kind = _DASHBOARD_TYPES.get(named.name)
        inner_dashboard = _Dashboard(kind, _dashboard_days(arguments)) if kind else dashboard
        below = self.selection_set(node.selection_set, named, inner_dashboard, inner_page)
        units = 1 + factor * below.units
        if kind is not None:
            assert inner_dashboard is not None
            units += factor * len(below.families) * 2 * inner_dashboard.days
            return _Cost(units, frozenset())
        families = set(below.families)
        if dashboard is not None and node.name.value in _FAMILIES[dashboard.kind]:
            families.add(_FAMILIES[dashboard.kind][node.name.value])
        return _Cost(units, frozenset(families))

    def arguments(self, node: FieldNode, definition: GraphQLField) -> dict[str, Any]:
        given = {arg.name.value: arg.value for arg in node.arguments or ()}
        values: dict[str, Any] = {}
        for name, argument in definition.args.items():
            if name in given:
                values[name] = value_from_ast_untyped(given[name], self.variables)
            elif argument.default_value is not Undefined:
                values[name] = argument.default_value
        return values


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


def _page_size(first: object, last: object) -> int:
    """The items a page holds: ``first`` or ``last`` (capped), else the default page."""
    for value in (first, last):
        if isinstance(value, int) and not isinstance(value, bool):
            return int(min(max(value, 0), MAX_PAGE))
    if first is None and last is None:
        return DEFAULT_PAGE
    return MAX_PAGE  # a variable not given: assume the largest page


def _granularity(value: object) -> Granularity:
    try:
        return Granularity(str(getattr(value, "value", value)))
    except ValueError:
        return Granularity.DAY


def _dashboard_days(arguments: Mapping[str, Any]) -> int:
    period = arguments.get("period")
    if period is None and isinstance(arguments.get("filter"), Mapping):
        period = arguments["filter"].get("period")
    return _period_days(period)


def _variables(
    operation: OperationDefinitionNode, given: Mapping[str, Any] | None
) -> dict[str, Any]:
    values = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    values.update(given or {})
    return values


def document_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """The estimated cost of running ``document``'s operation with ``variables``.

    Args:
        schema: the role's graphql-core schema (``strawberry.Schema._schema``).
        document: a parsed document; meant to run after validation, but any
            document gets a number.
        variables: the request's variables (unknown ones count as worst case).
        operation_name: which operation; without it, the costliest one.

    Returns:
        The cost in units (see the module docstring); compare with ``INSIGHTS_MAX_COST``.
    """
    costs = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is not None and (
            definition.name is None or definition.name.value != operation_name
        ):
            continue
        root = schema.get_root_type(definition.operation)
        estimator = _Estimator(schema, document, _variables(definition, variables))
        costs.append(estimator.selection_set(definition.selection_set, root, None, None).units)
    return max(costs, default=0)


def query_cost(
    schema: strawberry.Schema | GraphQLSchema,
    query: str,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """``document_cost`` of a query text, for docs, tests and release notes.

    Example:
        >>> query_cost(build_schema(Role.IMPORTER, settings), "{ me { sub } }")
        2
    """
    graphql_schema = schema._schema if isinstance(schema, strawberry.Schema) else schema
    return document_cost(
        graphql_schema, parse(query), variables=variables, operation_name=operation_name
    )
