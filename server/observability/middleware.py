"""The request middleware: one :class:`RequestRecord` per HTTP request, handed
to each sink (the log line, the metrics) when the response is done.

It sits outermost, so it sees every answer, including the 429s, 503s and 413s
that other middlewares and routes give without running GraphQL. It knows
nothing about how auth is done: the principal comes from the request's state
when something put it there, else from verifying the Authorization header.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs

import orjson
from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth.from_scope import principal_from_scope
from server.observability import record as records
from server.observability.record import RequestRecord

Sink = Callable[[RequestRecord], None]

# Enough of a GraphQL body to find its operation name; the endpoint bounds the
# whole body itself (413), this only bounds what is kept here.
_BODY_KEPT = 1_048_576
# An error's code in a compact JSON answer (orjson and Starlette write no spaces).
# Inside a JSON string a quote is escaped, so these bytes only match a real
# "extensions" object; one level of nesting allows extra fields before "code".
_ERROR_CODE = re.compile(rb'"extensions":\{(?:[^{}]|\{[^{}]*\})*?"code":"([A-Z_]+)"')
_OPERATION = re.compile(rb"\b(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
_ANONYMOUS = re.compile(rb"^\s*(query|mutation|subscription)?\s*[({]")


class RequestObserver:
    def __init__(self, app: ASGIApp, sinks: Sequence[Sink]) -> None:
        self.app = app
        self.sinks = tuple(sinks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A state dict of its own per request, as uvicorn gives: some servers
        # (and test harnesses) hand every request the same lifespan state, and
        # per-request values put there would leak between concurrent requests.
        scope["state"] = dict(scope.get("state") or {})
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id")
        record = RequestRecord(
            request_id=records.request_id_from(given.decode("latin-1") if given else None),
            method=scope.get("method", ""),
            path=scope.get("path", ""),
        )
        body = bytearray()
        codes: list[str] = []
        json_answer = False

        async def receive_kept() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) <= _BODY_KEPT:
                body.extend(message.get("body", b""))
            return message

        async def send_observed(message: Message) -> None:
            nonlocal json_answer
            if message["type"] == "http.response.start":
                record.status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers["x-request-id"] = record.request_id
                json_answer = response_headers.get("content-type", "").startswith(
                    "application/json"
                )
            elif message["type"] == "http.response.body" and json_answer:
                # Scanned as it passes, not kept: a dashboard answer may be megabytes
                # (the substring test is a fast memory search; the regex only runs
                # on answers that carry errors).
                chunk = message.get("body", b"")
                for found in _ERROR_CODE.finditer(chunk) if b'"errors":' in chunk else ():
                    code = found.group(1).decode()
                    if code not in codes:
                        codes.append(code)
            await send(message)

        token = records.begin(record)
        started = time.perf_counter()
        try:
            await self.app(scope, receive_kept, send_observed)
        except BaseException as exc:
            record.exception = exc
            record.status = record.status or 500
            raise
        finally:
            record.duration_seconds = time.perf_counter() - started
            records.end(token)
            record.route = _route(scope)
            record.principal = principal_from_scope(scope)
            record.error_codes = codes
            _operation(record, scope, bytes(body))
            for sink in self.sinks:
                sink(record)


def _route(scope: Scope) -> str:
    """The route's path template (bounded, unlike the path itself)."""
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "other"


def _operation(record: RequestRecord, scope: Scope, body: bytes) -> None:
    """The GraphQL operation's name and type, from the body or the query string."""
    if record.route != "/graphql":
        return
    name: object = None
    query: object = None
    if record.method == "GET":
        params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        name = (params.get("operationName") or [None])[0]
        query = (params.get("query") or [None])[0]
    elif body.lstrip()[:1] == b"{":
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            document = None
        if isinstance(document, dict):
            name, query = document.get("operationName"), document.get("query")
    elif body:
        query = body.decode("utf-8", errors="replace")  # application/graphql
    text = query.encode("utf-8", errors="replace")[:65536] if isinstance(query, str) else b""
    named = _OPERATION.search(text)
    anonymous = _ANONYMOUS.match(text)
    if named:
        record.operation_type, record.operation = named.group(1).decode(), named.group(2).decode()
    elif anonymous:
        record.operation_type = (anonymous.group(1) or b"query").decode()
    if isinstance(name, str) and name:
        record.operation = name[:128]
