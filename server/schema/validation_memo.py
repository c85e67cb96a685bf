"""Validation results kept per parsed document object, not per document hash.

Strawberry's ``ValidationCache`` keys an ``lru_cache`` on (schema, document,
rules), and a graphql-core ``DocumentNode`` hashes by walking the whole tree:
~0.5 ms per request for a dashboard query, to find an answer that
``ParserCache`` already made findable by identity (it hands every request of
one query text the same document object). Here the result is kept per
document object (server/schema/document_memo.py) and per schema and rule set,
so a document validated against one role's schema is never answered from
another role's result.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from server.schema.document_memo import DocumentMemo

_RESULTS: DocumentMemo[list[GraphQLError]] = DocumentMemo()


class DocumentValidationCache(SchemaExtension):
    """``ValidationCache`` with results found by the document's identity."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # parsing came first
        schema = context.schema._schema
        rules = tuple(context.validation_rules)
        context.pre_execution_errors = _RESULTS.get(
            document, (schema, rules), lambda: validate_document(schema, document, rules)
        )
        yield
