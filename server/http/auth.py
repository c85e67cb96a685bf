"""The token is checked once, here, for every route that needs one.

A Starlette ``AuthenticationMiddleware`` backend: on ``/graphql``, ``/reports/…``
and ``/ingest/…`` it verifies the bearer JWT and puts the Principal on the
connection (``request.user.principal``); a bad or missing token answers 401
``UNAUTHENTICATED`` before any route runs. Other paths (health, static assets)
and the development GraphiQL page pass without a token.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import Response

from server.auth.jwt import TokenVerifier, authorization_of, bearer_token
from server.auth.principal import Principal
from server.errors import InsightsError, ServiceUnavailable, Unauthenticated
from server.http.errors import error_response

PROTECTED_PREFIXES = ("/graphql", "/reports/", "/ingest/")

PublicRequest = Callable[[HTTPConnection], bool]
"""Says whether a request on a protected path may go without a token (e.g. the IDE page)."""

Authenticator = Callable[[HTTPConnection], Principal | None]
"""Another proof than a bearer token (a signed report link): the caller, None when
the request does not carry it; raises Unauthenticated when it carries a bad one."""


class PrincipalUser(BaseUser):
    """The verified caller, as Starlette's ``request.user``."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.sub

    @property
    def identity(self) -> str:
        return self.principal.sub


class _TokenRefused(AuthenticationError):
    def __init__(self, error: InsightsError) -> None:
        super().__init__(error.message)
        self.error = error


class BearerTokenBackend(AuthenticationBackend):
    """Verifies ``Authorization: Bearer <jwt>`` on protected paths.

    Args:
        verifier: the process's TokenVerifier (keys loaded once).
        public: requests on protected paths that need no token (the IDE page).
    """

    def __init__(
        self,
        verifier: TokenVerifier,
        public: tuple[PublicRequest, ...] = (),
        alternatives: tuple[Authenticator, ...] = (),
    ) -> None:
        self.verifier = verifier
        self.public = public
        self.alternatives = alternatives

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        if conn.scope["type"] != "http" or not conn.url.path.startswith(PROTECTED_PREFIXES):
            return None
        if any(rule(conn) for rule in self.public):
            return None
        try:
            for alternative in self.alternatives:
                found = alternative(conn)
                if found is not None:
                    return AuthCredentials([found.role.value]), PrincipalUser(found)
            token = bearer_token(authorization_of(conn.headers))
            principal = await self.verifier.verify_async(token)
        except (Unauthenticated, ServiceUnavailable) as exc:
            raise _TokenRefused(exc) from None
        return AuthCredentials([principal.role.value]), PrincipalUser(principal)


def on_auth_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    """401 in the API's one error shape (``UNAUTHENTICATED``), before any route runs;
    503 when the identity provider's keys cannot be fetched."""
    if isinstance(exc, _TokenRefused):
        return error_response(exc.error.http_status, exc.error.code, exc.error.message)
    return error_response(401, Unauthenticated.code, str(exc))


def principal_of(conn: HTTPConnection) -> Principal:
    """The verified caller of a request on a protected path.

    Raises:
        Unauthenticated: the request came through without a token (a public request).
    """
    user = conn.scope.get("user")
    if not isinstance(user, PrincipalUser):
        raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <jwt>'")
    return user.principal
