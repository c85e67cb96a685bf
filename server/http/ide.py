"""The development GraphiQL page: which requests ask for it."""

from __future__ import annotations

from starlette.requests import HTTPConnection


def is_ide_request(conn: HTTPConnection) -> bool:
    """A browser opening ``/graphql`` (GET, accepts HTML, no query): the IDE page,
    which needs no token (the token goes into the IDE's header editor instead)."""
    return (
        conn.scope.get("method") == "GET"
        and conn.url.path == "/graphql"
        and "text/html" in conn.headers.get("accept", "")
        and "query" not in conn.query_params
    )
