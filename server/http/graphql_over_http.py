"""GraphQL over HTTP (the GraphQL Foundation's spec): media type and status.

A client that accepts ``application/graphql-response+json`` gets it, and then
a request that never reached execution — a parse failure, a validation
failure (query limits included), variables that do not coerce — answers 4xx
with no ``data`` entry, so HTTP tooling sees the failure. ``application/json``
(and a missing or ``*/*`` Accept) keeps the classic behaviour: 200 with
``"data": null``. Either way such errors carry codes Apollo-style clients know:
``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED`` (``QUERY_TOO_COMPLEX``
and ``BAD_USER_INPUT`` for coercion stay as they are).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from server.errors import InsightsError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


class Failure(Enum):
    """Why a request never executed (None from ``failure_of``: it did)."""

    PARSE = "parse"
    VALIDATION = "validation"
    COERCION = "coercion"


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header: the supported type with
    the highest q (the first listed on a tie); ``application/json`` otherwise."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if media not in (GRAPHQL_RESPONSE_JSON, JSON):
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (-quality, position) < (-best[0], best[1])):
            best = (quality, position, media)
    return best[2] if best else JSON


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media == GRAPHQL_RESPONSE_JSON else media


def failure_of(result: ExecutionResult) -> Failure | None:
    """Whether (and why) the operation failed before execution."""
    errors: Sequence[GraphQLError] = result.errors or ()
    if not errors:
        return None
    if isinstance(result, PreExecutionError):
        if any(isinstance(e, GraphQLSyntaxError) for e in errors):
            return Failure.PARSE
        return Failure.VALIDATION
    if result.data is None and all(_is_request_error(e) for e in errors):
        return Failure.COERCION
    return None


def _is_request_error(error: GraphQLError) -> bool:
    # graphql-core reports variable coercion as located errors without a path,
    # before any resolver runs.
    original = error.original_error
    return not error.path and (original is None or isinstance(original, GraphQLError))


def code_for(failure: Failure | None, code: str) -> str:
    """The code of one error of a failed request (generic codes made specific)."""
    if code != "BAD_USER_INPUT":
        return code
    if failure is Failure.PARSE:
        return PARSE_FAILED
    if failure is Failure.VALIDATION:
        return VALIDATION_FAILED
    return code


def status_for(failure: Failure | None, media: str) -> int | None:
    """400 for a request failure under graphql-response+json; None: leave as is."""
    if failure is not None and media == GRAPHQL_RESPONSE_JSON:
        return 400
    return None


def shape_answer(body: dict[str, object], result: ExecutionResult, media: str) -> int | None:
    """Adjust a formatted GraphQL answer for its media type; returns the HTTP status
    it needs (None: keep the default). ``body["errors"]`` is already formatted."""
    failure = failure_of(result)
    if failure is None:
        return None
    for error, raw in zip(body.get("errors", ()), result.errors or (), strict=False):  # type: ignore[call-overload]
        if isinstance(raw.original_error, InsightsError):
            continue  # a check of ours named its own code (e.g. a NUL in a string)
        extensions = error.setdefault("extensions", {})
        extensions["code"] = code_for(failure, extensions.get("code", "BAD_USER_INPUT"))
    status = status_for(failure, media)
    if status is not None:
        body.pop("data", None)
    return status
