"""Refuses a NUL character anywhere in a request's strings (BAD_USER_INPUT).

PostgreSQL text cannot hold U+0000, so an id or a search string carrying one
fails deep inside a query as INTERNAL. Checked once per request, after the
document is validated and before anything runs: every string literal of the
document and every string in the variables.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from server.errors import BadUserInput
from server.schema.document_memo import DocumentMemo

NUL = "\x00"
MESSAGE = "a string argument holds a NUL character (\\u0000): remove it"

_LITERALS: DocumentMemo[bool] = DocumentMemo()


class RefuseNulCharacters(SchemaExtension):
    """Put it after ValidationCache: it adds to the errors validation found."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if _holds_nul(context.variables) or (
            document is not None
            and _LITERALS.get(document, None, lambda: _literal_with_nul(document))
        ):
            # A new list: the validation cache hands out shared ones.
            context.pre_execution_errors = [
                *(context.pre_execution_errors or []),
                GraphQLError(MESSAGE, original_error=BadUserInput(MESSAGE)),
            ]
        yield


def _holds_nul(value: object) -> bool:
    """Iterative: variables may nest deeper than Python's recursion limit."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class _Finder(Visitor):
    found = False

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if NUL in node.value:
            self.found = True


def _literal_with_nul(document: object) -> bool:
    finder = _Finder()
    visit(document, finder)  # type: ignore[arg-type]
    return finder.found
