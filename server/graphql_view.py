"""HTTP side of GraphQL: verify the JWT, pick the role's schema, and answer with
the API's error model (401 UNAUTHENTICATED before any execution; 503 when the
database is down)."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from server.auth.jwt import TokenVerifier, authorization_of, bearer_token
from server.auth.principal import Role
from server.config import Settings
from server.deadline import install_statement_timeout, within_deadline
from server.errors import RequestTimeout, Unauthenticated, error_body
from server.json_nesting import json_problem
from server.resolvers.distinct_cache import DistinctCache
from server.resolvers.loaders import Loaders
from server.resolvers.read_copies import ReadCopies
from server.response_size import capped
from server.schema.context import Context
from server.schema.errors import format_error


class RoleGraphQL(GraphQL[Context, None]):
    """The GraphQL app of one role's schema."""

    def __init__(
        self,
        schema: Any,
        engine: AsyncEngine,
        settings: Settings,
        distinct_cache: DistinctCache,
        day_copy: ReadCopies | None = None,
    ) -> None:
        development = settings.environment == "development"
        super().__init__(
            schema, graphql_ide="graphiql" if development else None, allow_queries_via_get=True
        )
        self.engine = engine
        self.settings = settings
        self.distinct_cache = distinct_cache
        self.day_copy = day_copy
        install_statement_timeout(engine)

    async def get_context(self, request: Any, response: Any) -> Context:
        request.state.sub_response = response
        return Context(
            principal=request.state.principal,
            engine=self.engine,
            settings=self.settings,
            loaders=Loaders(self.engine, self.distinct_cache, self.day_copy),
            request=request,
        )

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        """Execution under the request deadline (server/deadline.py)."""
        try:
            return await within_deadline(super().execute_operation(*args, **kwargs), self.settings)
        except RequestTimeout as exc:
            error = GraphQLError(exc.message, original_error=exc)
            return ExecutionResult(data=None, errors=[error])

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            errors = [format_error(e) for e in result.errors]
            data["errors"] = errors  # type: ignore[typeddict-item]
            if any(e["extensions"]["code"] == "SERVICE_UNAVAILABLE" for e in errors):
                request.state.sub_response.status_code = 503
            elif any(e["extensions"]["code"] == RequestTimeout.code for e in errors):
                request.state.sub_response.status_code = RequestTimeout.http_status
        if result.extensions:
            data["extensions"] = result.extensions
        return data

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        return capped(response, self.settings.max_response_bytes)


class GraphQLEndpoint:
    """Verifies the bearer token, then hands the request to its role's app.

    An ASGI callable (a class, not a function: Starlette would treat a function
    as a request -> response endpoint)."""

    def __init__(
        self, apps: dict[Role, RoleGraphQL], verifier: TokenVerifier, settings: Settings
    ) -> None:
        self.apps = apps
        self.verifier = verifier
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if self._wants_ide(request):
            await self.apps[Role.IMPORTER](scope, receive, send)
            return
        try:
            principal = self.verifier.verify(bearer_token(authorization_of(request.headers)))
        except Unauthenticated as exc:
            await _error(401, exc.code, exc.message, {"WWW-Authenticate": "Bearer"})(
                scope, receive, send
            )
            return
        problem = _query_param_problem(request)
        if problem is not None:
            await _error(400, "BAD_USER_INPUT", problem)(scope, receive, send)
            return
        if request.method == "POST":
            prepared = await self._prepared_body(request)
            if isinstance(prepared, Response):
                await prepared(scope, receive, send)
                return
            scope, receive = prepared
        scope.setdefault("state", {})["principal"] = principal
        await self.apps[principal.role](scope, receive, send)

    async def _prepared_body(self, request: Request) -> Response | tuple[Scope, Receive]:
        """Bound the body before anything parses it (413), accept JSON and
        application/graphql (as {"query": body}), refuse other types (415)."""
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _too_large(limit)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return _too_large(limit)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        scope = dict(request.scope)
        if media == "application/graphql":
            body = orjson.dumps({"query": body.decode("utf-8", errors="replace")})
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope["headers"] = [*headers, (b"content-type", b"application/json")]
        elif media != "application/json":
            return _error(415, "BAD_USER_INPUT", "send application/json or application/graphql")
        problem = json_problem(body)
        if problem is not None:
            return _error(400, "BAD_USER_INPUT", problem)

        async def replay() -> dict[str, object]:
            return {"type": "http.request", "body": body, "more_body": False}

        return scope, replay

    def _wants_ide(self, request: Request) -> bool:
        return (
            self.settings.environment == "development"
            and request.method == "GET"
            and "text/html" in request.headers.get("accept", "")
            and "query" not in request.query_params
        )


def _query_param_problem(request: Request) -> str | None:
    """GET passes variables and extensions as JSON in the query string."""
    for name in ("variables", "extensions"):
        value = request.query_params.get(name)
        if value:
            problem = json_problem(value, what=name)
            if problem is not None:
                return problem
    return None


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def _too_large(limit: int) -> Response:
    return _error(413, "QUERY_TOO_COMPLEX", f"request body over {limit} bytes")
