"""The principal of a request, for code at the HTTP edge that runs around the
routes (request log, metrics, rate limits) rather than inside them.

The edge's authentication middleware (server/http/auth.py) has usually put the
verified principal into the scope; otherwise the ``Authorization`` header is
verified here with the app's own verifier. The answer is kept in the request's
state so that a request is verified at most once more, whichever asks first.
"""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from server.auth.jwt import bearer_token
from server.auth.principal import Principal
from server.errors import InsightsError

_CACHE = "_insights_edge_principal"
_NONE = object()


def principal_from_scope(scope: Scope) -> Principal | None:
    """The verified principal of this request, or None (no or bad token)."""
    user = scope.get("user")  # set by the edge's authentication middleware
    if user is not None and isinstance(getattr(user, "principal", None), Principal):
        verified: Principal = user.principal
        return verified
    state: dict[str, Any] = scope.setdefault("state", {})
    found = state.get("principal")
    if isinstance(found, Principal):
        return found
    cached = state.get(_CACHE)
    if cached is not None:
        return None if cached is _NONE else cached
    principal = _verify(scope)
    state[_CACHE] = _NONE if principal is None else principal
    return principal


def _verify(scope: Scope) -> Principal | None:
    app = scope.get("app")
    insights = getattr(getattr(app, "state", None), "insights", None)
    verifier = getattr(insights, "verifier", None)
    if verifier is None:
        return None
    values = [v for k, v in scope.get("headers", []) if k == b"authorization"]
    if len(values) != 1:
        return None
    try:
        principal: Principal = verifier.verify(bearer_token(values[0].decode("latin-1")))
    except InsightsError:
        return None
    return principal
