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

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from server.errors import QueryTooComplex
from server.schema.cost import document_cost
from server.schema.expansion import DocumentShape


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
            self._check(DocumentShape(document), self.execution_context.operation_name)
        yield

    def _check(self, shape: DocumentShape, operation_name: str | None) -> None:
        # Raised, not stored in pre_execution_errors: ValidationCache would
        # overwrite those with the result of the very validation we avoid.
        if shape.aliases > self.max_aliases:
            raise _refusal(
                f"{shape.aliases} aliases found. Allowed: {self.max_aliases}",
                aliases=shape.aliases,
                maxAliases=self.max_aliases,
            )
        fields = shape.expanded_fields(operation_name)
        if fields > self.max_fields:
            raise _refusal(
                f"the document selects {fields} fields once its fragments are inlined; at most "
                f"{self.max_fields} are allowed: select fewer fields or spread fewer fragments",
                fields=fields,
                maxFields=self.max_fields,
            )
        if shape.cyclic:
            return  # NoFragmentCycles refuses it; the walk below would not end
        repeat = shape.largest_repeat(operation_name)
        if repeat.count > self.max_repeated:
            raise _refusal(
                f"{repeat.count} fields answer to '{repeat.path}'; at most "
                f"{self.max_repeated} fields may share one response name",
                repeatedFields=repeat.count,
                maxRepeatedFields=self.max_repeated,
            )


class CostLimit(SchemaExtension):
    """Refuses an operation whose estimated cost exceeds ``max_cost``, before execution."""

    def __init__(self, *, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            cost = document_cost(
                context.schema._schema,
                context.graphql_document,
                variables=context.variables,
                operation_name=context.operation_name,
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
