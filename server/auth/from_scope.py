"""The principal of a request, for code at the HTTP edge that runs around the
routes (request log, metrics, rate limits) rather than inside them.

The token is verified once, by the edge's authentication middleware
(server/http/auth.py), which puts the principal into the scope; this only
reads it back. Requests it did not authenticate (public paths, refused tokens)
have none.
"""

from __future__ import annotations

from starlette.types import Scope

from server.auth.principal import Principal


def principal_from_scope(scope: Scope) -> Principal | None:
    """The verified principal of this request, or None (no or bad token)."""
    principal = getattr(scope.get("user"), "principal", None)
    return principal if isinstance(principal, Principal) else None
