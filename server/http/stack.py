"""The middleware in front of every route, outermost first."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware

from server.auth.jwt import TokenVerifier
from server.config import Settings
from server.http.auth import BearerTokenBackend, PublicRequest, on_auth_error
from server.http.cors import cors_middleware
from server.http.ide import is_ide_request
from server.reports.links import link_authenticator


def edge_middleware(
    settings: Settings,
    verifier: TokenVerifier,
    operational: tuple[list[Middleware], list[Middleware]] = ([], []),
) -> list[Middleware]:
    """The edge's middleware list for ``Starlette(middleware=…)``; ``operational`` is the
    operational layer's (around CORS and authentication, within them)."""
    around, within = operational
    public: tuple[PublicRequest, ...] = ()
    if settings.environment == "development":
        public = (is_ide_request,)
    return [
        *around,
        cors_middleware(settings.cors_origin_list),
        Middleware(
            AuthenticationMiddleware,
            backend=BearerTokenBackend(verifier, public, (link_authenticator(settings),)),
            on_error=on_auth_error,
        ),
        *within,
    ]
