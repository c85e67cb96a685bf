"""Turn execution errors into the API's error model: every error carries
``extensions.code``; domain errors keep their message, anything unexpected is
INTERNAL with a masked message (details only in the log)."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from server.deadline import is_statement_timeout
from server.errors import InsightsError, RequestTimeout, ServiceUnavailable
from server.outage import MESSAGE as UNAVAILABLE_MESSAGE
from server.outage import is_unavailable

log = logging.getLogger("server.errors")

# The limit rules (strawberry's depth/alias limiters, graphql-core's token limit)
# raise plain GraphQLErrors; these are their messages.
_TOO_COMPLEX = (
    "exceeds maximum operation depth",
    "aliases found. Allowed:",
    "Document contains more than",
)


def error_code(error: GraphQLError) -> tuple[str, str, dict[str, Any]]:
    """(code, message, extra extensions) for one execution error."""
    original = error.original_error
    if isinstance(original, GraphQLError):  # variable coercion: the caller's input
        original = None
    if isinstance(original, InsightsError):
        return original.code, original.message, dict(original.extensions)
    if original is not None and is_statement_timeout(original):
        return RequestTimeout.code, "a database statement ran past the request deadline", {}
    if original is not None and is_unavailable(original):
        log.warning("database unavailable: %s", original)
        return ServiceUnavailable.code, UNAVAILABLE_MESSAGE, {}
    if original is not None:
        log.error("internal error at %s", error.path, exc_info=original)
        return "INTERNAL", "internal server error", {}
    if any(marker in error.message for marker in _TOO_COMPLEX):
        return "QUERY_TOO_COMPLEX", error.message, {}
    return "BAD_USER_INPUT", error.message, {}


def format_error(error: GraphQLError) -> dict[str, Any]:
    code, message, extra = error_code(error)
    formatted: dict[str, Any] = {"message": message}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path:
        formatted["path"] = error.path
    formatted["extensions"] = {**extra, "code": code}
    return formatted
