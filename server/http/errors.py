"""One error shape for every route: ``{"errors": [{"message", "extensions": {"code"}}]}``.

GraphQL answers already look like this; the handlers here give HTTP-level
failures (unknown path, wrong method, bad body), REST routes and unexpected
exceptions the same body, so a client parses one format everywhere.

Codes answered outside GraphQL execution (besides the domain codes of
``server.errors``):

    BAD_REQUEST          400  the HTTP request itself is malformed (body, params)
    NOT_FOUND            404  no such route
    METHOD_NOT_ALLOWED   405  e.g. PUT /graphql, a mutation over GET
    UNSUPPORTED_MEDIA_TYPE 415  a body type the route does not read
    INTERNAL             500  anything unexpected (message masked, details logged)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.errors import InsightsError

log = logging.getLogger("server.errors")

_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "QUERY_TOO_COMPLEX",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: "SERVICE_UNAVAILABLE",
}


def error_document(
    code: str, message: str, extensions: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """The body of one error, without a ``data`` entry (nothing was executed)."""
    return {"errors": [{"message": message, "extensions": {**(extensions or {}), "code": code}}]}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    """A JSON error answer; 401s also say how to authenticate."""
    all_headers = dict(headers or {})
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    return Response(
        orjson.dumps(error_document(code, message)),
        status_code=status,
        headers=all_headers,
        media_type=media_type,
    )


def code_for_status(status: int) -> str:
    return _CODES.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL")


def domain_error_response(exc: InsightsError) -> Response:
    status = exc.http_status if exc.http_status >= 400 else 400
    return Response(
        orjson.dumps(error_document(exc.code, exc.message, exc.extensions)),
        status_code=status,
        headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
        media_type="application/json",
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.detail else "request failed"
    return error_response(
        exc.status_code, code_for_status(exc.status_code), message, headers=exc.headers
    )


async def _domain_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InsightsError)
    return domain_error_response(exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "INTERNAL", "internal server error")


EXCEPTION_HANDLERS = {
    HTTPException: _http_exception,
    InsightsError: _domain_exception,
    Exception: _unexpected,
}
"""Starlette ``exception_handlers``: every failure a route raises becomes the one shape."""
