"""HTTP side of GraphQL: pick the caller's role schema and answer with the API's
error model (the token was already checked by ``server.http.auth``; 503 when
the database is down; HTTP-level failures in the one JSON error shape)."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from server.auth.principal import Role
from server.config import Settings
from server.deadline import install_statement_timeout, within_deadline
from server.errors import RequestTimeout, ServiceUnavailable
from server.http.auth import principal_of
from server.http.caching import GetCaching, no_store
from server.http.context import graphql_context
from server.http.errors import code_for_status, error_response
from server.http.graphql_over_http import JSON, content_type, negotiate, shape_answer
from server.http.ide import ide_page, is_ide_request
from server.http.persisted import PersistedQueries, apply_persisted
from server.json_nesting import json_problem
from server.resolvers.distinct_cache import DistinctCache
from server.resolvers.read_copies import ReadCopies
from server.response_size import capped
from server.schema.context import Context
from server.schema.errors import format_error
from server.trusted_documents import load_manifest


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
        # The IDE page is served by server.http.ide, with its own assets.
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.engine = engine
        self.settings = settings
        self.distinct_cache = distinct_cache
        self.day_copy = day_copy
        install_statement_timeout(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As Strawberry's, but HTTP-level refusals answer in the one JSON error shape."""
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            code = code_for_status(exc.status_code)
            media = content_type(negotiate(request.headers.get("accept")))
            response = error_response(exc.status_code, code, exc.reason, media_type=media)
        finally:  # the answer is built: the request's reads can go now
            context = getattr(request.state, "graphql_context", None)
            if context is not None:
                context.release()
        await response(scope, receive, send)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """A mutation over GET is a wrong method (405, nothing runs), not a bad request."""
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                raise HTTPException(405, exc.reason) from exc
            raise

    async def get_context(self, request: Any, response: Any) -> Context:
        request.state.sub_response = response
        response.media_type = negotiate(request.headers.get("accept"))
        context = graphql_context(request, principal_of(request))
        request.state.graphql_context = context
        return context

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
            codes = {e["extensions"]["code"] for e in errors}
            if ServiceUnavailable.code in codes:
                request.state.sub_response.status_code = ServiceUnavailable.http_status
            elif RequestTimeout.code in codes:
                request.state.sub_response.status_code = RequestTimeout.http_status
        if result.extensions:
            data["extensions"] = result.extensions
        sub_response = request.state.sub_response
        status = shape_answer(data, result, sub_response.media_type)  # type: ignore[arg-type]
        if status is not None:
            sub_response.status_code = status
        return data

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Any
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = content_type(sub_response.media_type or JSON)
        return capped(response, self.settings.max_response_bytes)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


class GraphQLEndpoint:
    """Hands a request (already authenticated) to its role's app.

    An ASGI callable (a class, not a function: Starlette would treat a function
    as a request -> response endpoint)."""

    def __init__(self, apps: dict[Role, RoleGraphQL], settings: Settings) -> None:
        self.apps = apps
        self.settings = settings
        self.caching = GetCaching(settings, {r.value: a.schema.as_str() for r, a in apps.items()})
        self.persisted = PersistedQueries(
            load_manifest(settings.trusted_documents),
            frozenset(settings.trusted_only_role_list),
            settings.apq_max_documents,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if self.settings.environment == "development" and is_ide_request(request):
            await ide_page()(scope, receive, send)
            return
        principal = principal_of(request)
        problem = _query_param_problem(request)
        if problem is not None:
            await error_response(400, "BAD_REQUEST", problem)(scope, receive, send)
            return
        body = None
        if request.method == "POST":
            prepared = await self._prepared_body(request)
            if isinstance(prepared, Response):
                await prepared(scope, receive, send)
                return
            scope, body = prepared
        engine = request.app.state.insights.engine
        resolved = await apply_persisted(self.persisted, scope, body, principal, engine)
        if isinstance(resolved, Response):
            await resolved(scope, receive, send)
            return
        scope, receive = resolved
        app = self.apps[principal.role]
        if request.method == "GET":
            await self.caching.serve(app, scope, receive, send, principal)
        else:
            await app(scope, receive, no_store(send))

    async def _prepared_body(self, request: Request) -> Response | tuple[Scope, bytes]:
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
            return error_response(
                415, "UNSUPPORTED_MEDIA_TYPE", "send application/json or application/graphql"
            )

        problem = json_problem(body)
        if problem is not None:
            return error_response(400, "BAD_REQUEST", problem)
        return scope, body


def _query_param_problem(request: Request) -> str | None:
    """GET passes variables and extensions as JSON in the query string."""
    for name in ("variables", "extensions"):
        value = request.query_params.get(name)
        if value:
            problem = json_problem(value, what=name)
            if problem is not None:
                return problem
    return None


def _too_large(limit: int) -> Response:
    return error_response(413, "QUERY_TOO_COMPLEX", f"request body over {limit} bytes")
