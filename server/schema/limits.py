"""Refuse hostile documents before they cost anything: two schema extensions.

``DocumentShapeLimit`` runs first in validation, before graphql-core's rules and
strawberry's limiters, whose work grows with the document once its fragments are
inlined (exponentially for fragments that spread another one twice) and with
the square of the fields sharing one response name. It measures those in linear
time (``server.schema.expansion``) and refuses past the configured bounds.

``CostLimit`` runs after validation and before execution: it estimates what the
operation will cost with the request's variables (``server.schema.cost``) and
refuses over ``INSIGHTS_MAX_COST``, before any SQL is sent.

Both answer ``QUERY_TOO_COMPLEX`` with the measured figure and the limit in the
error's extensions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from graphql import DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension

from server.errors import QueryTooComplex
from server.schema.cost import document_cost
from server.schema.document_memo import DocumentMemo
from server.schema.expansion import DocumentShape

Refusal = tuple[str, dict[str, int]]
"""A refusal's message and extensions (a fresh error is raised from it per request)."""

_SHAPES: DocumentMemo[Refusal | None] = DocumentMemo()
_COSTS: DocumentMemo[int] = DocumentMemo()


def _refusal(message: str, **extensions: object) -> GraphQLError:
    # The domain error rides along unraised: format_error reads its code and
    # extensions, and strawberry's error log gets one line, not a traceback.
    refusal = QueryTooComplex(message, extensions=dict(extensions))
    return GraphQLError(message, original_error=refusal)


class DocumentShapeLimit(SchemaExtension):
    """Bounds fragment expansion, aliases and repeated response names before
    standard validation. Must come before ``ValidationCache`` in the list."""

    def __init__(self, *, max_fields: int, max_aliases: int, max_repeated: int) -> None:
        super().__init__()
        self.max_fields = max_fields
        self.max_aliases = max_aliases
        self.max_repeated = max_repeated

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None:
            name = self.execution_context.operation_name
            limits = (name, self.max_aliases, self.max_fields, self.max_repeated)
            problem = _SHAPES.get(document, limits, lambda: self._problem(document, name))
            if problem is not None:
                # Raised, not stored in pre_execution_errors: ValidationCache would
                # overwrite those with the result of the very validation we avoid.
                raise _refusal(problem[0], **problem[1])
        yield

    def _problem(self, document: DocumentNode, operation_name: str | None) -> Refusal | None:
        shape = DocumentShape(document)
        if shape.aliases > self.max_aliases:
            return (
                f"{shape.aliases} aliases found. Allowed: {self.max_aliases}",
                {"aliases": shape.aliases, "maxAliases": self.max_aliases},
            )
        fields = shape.expanded_fields(operation_name)
        if fields > self.max_fields:
            return (
                f"the document selects {fields} fields once its fragments are inlined; at most "
                f"{self.max_fields} are allowed: select fewer fields or spread fewer fragments",
                {"fields": fields, "maxFields": self.max_fields},
            )
        if shape.cyclic:
            return None  # NoFragmentCycles refuses it; the walk below would not end
        repeat = shape.largest_repeat(operation_name)
        if repeat.count > self.max_repeated:
            return (
                f"{repeat.count} fields answer to '{repeat.path}'; at most "
                f"{self.max_repeated} fields may share one response name",
                {"repeatedFields": repeat.count, "maxRepeatedFields": self.max_repeated},
            )
        return None


class CostLimit(SchemaExtension):
    """Refuses an operation whose estimated cost exceeds ``max_cost``, before execution."""

    def __init__(self, *, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            cost = _cost(
                context.schema._schema,
                context.graphql_document,
                context.variables,
                context.operation_name,
            )
            if cost > self.max_cost:
                error = _refusal(
                    f"the query's estimated cost is {cost}, over the limit of {self.max_cost}: "
                    "ask for fewer items (first), fewer aliases or shorter periods",
                    cost=cost,
                    maxCost=self.max_cost,
                )
                # A result set before execution makes strawberry skip it.
                context.result = ExecutionResult(data=None, errors=[error])
        yield


def _cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> int:
    """``document_cost``, once per document, schema, operation and variables."""

    def compute() -> int:
        return document_cost(schema, document, variables=variables, operation_name=operation_name)

    try:
        given = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # not JSON (a caller in-process): no key to remember it by
        return compute()
    return _COSTS.get(document, (id(schema), operation_name, given), compute)
