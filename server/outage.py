"""Database outages: recognise a connection-class failure however it is wrapped,
and answer it with 503 ``SERVICE_UNAVAILABLE`` on every route.

While PostgreSQL stops, crashes or starts up, a request can fail in many places
and many forms: the pool's pre-ping gets ``ConnectionRefusedError``, a new
connection gets "the database system is starting up" (SQLSTATE 57P03), a
running statement gets "terminating connection due to administrator command"
(57P01) or a dropped socket (class 08), the pool times out. SQLAlchemy wraps
most of these in a generic ``DBAPIError`` whose ``orig`` wraps the asyncpg
error, so the check walks the whole chain of causes rather than trusting the
outermost type.

:func:`is_unavailable` is used by the GraphQL error formatter and the report
route; :class:`OutageMiddleware` catches what escapes any other route (e.g.
``POST /ingest/{kind}``) so no outage ever becomes a 500.
"""

from __future__ import annotations

import logging

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import ServiceUnavailable
from server.http.errors import error_response

log = logging.getLogger(__name__)

MESSAGE = "the database is unavailable; try again shortly"
RETRY_AFTER = "5"  # seconds: a restart or a failover usually takes about this long

# 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now ("shutting
# down", "starting up", "in recovery mode"), 53300 too_many_connections. Not all of
# class 57: 57014 query_canceled is a statement timeout, not an outage.
_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
_SQLSTATE_CLASSES = ("08",)  # connection exception
_TYPES: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    OSError,  # ConnectionRefusedError, a missing Unix socket, a connect timeout
    asyncpg.exceptions.InterfaceError,  # "connection is closed"
    asyncpg.exceptions.PostgresConnectionError,
)
_MAX_CHAIN = 16


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it wraps (``orig``, ``__cause__``). Not ``__context__``:
    an unrelated error raised while handling a socket error is not an outage."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < _MAX_CHAIN:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for inner in (getattr(current, "orig", None), current.__cause__):
            if isinstance(inner, BaseException):
                todo.append(inner)
    return seen


def _sqlstate(exc: BaseException) -> str:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return state if isinstance(state, str) else ""


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means "the database cannot be reached right now"
    rather than "this request is wrong" or "the code is wrong"."""
    for cause in _causes(exc):
        if isinstance(cause, _TYPES):
            return True
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        state = _sqlstate(cause)
        if state in _SQLSTATES or state.startswith(_SQLSTATE_CLASSES):
            return True
    return False


def unavailable_response() -> Response:
    return error_response(
        ServiceUnavailable.http_status,
        ServiceUnavailable.code,
        MESSAGE,
        headers={"Retry-After": RETRY_AFTER},
    )


class OutageMiddleware:
    """Turns a connection-class failure escaping any route into 503 JSON, and
    gives every 503 (GraphQL's own included) a ``Retry-After``.

    Anything else is re-raised untouched (it is a bug and must stay visible).
    When the response has already started there is nothing left to change, so
    the error is re-raised too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] == 503:
                    headers = MutableHeaders(scope=message)
                    headers.setdefault("retry-after", RETRY_AFTER)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started or not is_unavailable(exc):
                raise
            log.warning("database unavailable on %s: %s", scope.get("path"), _one_line(exc))
            await unavailable_response()(scope, receive, send)


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
