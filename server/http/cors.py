"""CORS for browsers on other origins (``INSIGHTS_CORS_ORIGINS``).

Bearer tokens only, never cookies: credentials are not allowed, so a page on an
allowed origin can only act with a token its own code holds. Preflights allow
``Authorization`` and ``Content-Type`` with GET and POST; browsers may read the
``ETag`` of GET answers (to send ``If-None-Match``).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from server.http.errors import error_response

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = ("Authorization", "Content-Type")
PREFLIGHT_MAX_AGE = 600


class _JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with refused preflights in the API's one error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        kept = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        return error_response(400, "BAD_REQUEST", bytes(response.body).decode(), headers=kept)


def cors_middleware(origins: list[str]) -> Middleware:
    return Middleware(
        _JsonCORSMiddleware,
        allow_origins=origins,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        allow_credentials=False,
        expose_headers=("ETag",),
        max_age=PREFLIGHT_MAX_AGE,
    )
