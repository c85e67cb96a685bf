"""The one place a GraphQL ``Context`` is built, for ``/graphql`` and for the
routes that execute GraphQL in-process (the PDF report)."""

from __future__ import annotations

from starlette.requests import Request

from server.auth.principal import Principal
from server.resolvers.loaders import Loaders
from server.schema.context import Context


def graphql_context(request: Request, principal: Principal) -> Context:
    """A fresh context for one request: its principal and its own DataLoaders
    (loaders are never shared between requests: they cache per tenant)."""
    state = request.app.state.insights
    return Context(
        principal=principal,
        engine=state.engine,
        settings=state.settings,
        loaders=Loaders(state.reads, state.distinct_cache, state.day_copy),
        request=request,
    )
