"""A per-request deadline, so that one GraphQL request cannot hold a worker.

Two bounds, because either alone leaves a gap:

- an asyncio timeout around execution answers the client when the deadline
  passes (``TIMEOUT``, HTTP 504), whatever the request is waiting for;
- PostgreSQL's ``statement_timeout`` on the connections the request uses stops
  the statements themselves: DataLoader batches run in tasks of their own, which
  the asyncio timeout does not cancel, and a cancelled client does not stop a
  query the server is still running.

The statement timeout is set per connection as it is checked out of the pool,
only while a request's deadline is active (a context variable that the
request's tasks inherit), and reset when the connection next serves anything
else (processing, ingestion), which must not be cut short by it. A connection
keeps its setting between checkouts, so steady request traffic costs no extra
round trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.config import Settings
from server.errors import RequestTimeout

T = TypeVar("T")

_STATEMENT_TIMEOUT_MS: ContextVar[int | None] = ContextVar(
    "insights_statement_timeout_ms", default=None
)
_APPLIED = "insights.statement_timeout_ms"
_QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout


def statement_timeout_ms(settings: Settings) -> int:
    """The statement timeout for requests: its own setting, else the request deadline."""
    if settings.statement_timeout_ms is not None:
        return settings.statement_timeout_ms
    return max(1, round(settings.request_timeout_s * 1000))


def _on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    wanted = _STATEMENT_TIMEOUT_MS.get()
    if record.info.get(_APPLIED) == wanted:
        return
    sql = "RESET statement_timeout" if wanted is None else f"SET statement_timeout = {wanted:d}"
    try:
        dbapi_connection.run_async(lambda connection: connection.execute(sql))
    except Exception as exc:
        # The pool discards this connection and checks out another one.
        raise DisconnectionError(f"could not set statement_timeout: {exc}") from exc
    record.info[_APPLIED] = wanted


def install_statement_timeout(engine: AsyncEngine) -> None:
    """Apply the active request's statement timeout to every connection ``engine`` hands out."""
    if not event.contains(engine.sync_engine, "checkout", _on_checkout):
        event.listen(engine.sync_engine, "checkout", _on_checkout)


@contextmanager
def statement_deadline(milliseconds: int) -> Iterator[None]:
    """Connections checked out inside this block (and its tasks) get ``statement_timeout``."""
    token = _STATEMENT_TIMEOUT_MS.set(milliseconds)
    try:
        yield
    finally:
        _STATEMENT_TIMEOUT_MS.reset(token)


async def within_deadline(work: Awaitable[T], settings: Settings) -> T:
    """Await ``work`` under the request deadline; ``RequestTimeout`` when it passes."""
    seconds = settings.request_timeout_s
    with statement_deadline(statement_timeout_ms(settings)):
        try:
            async with asyncio.timeout(seconds) as deadline:
                return await work
        except TimeoutError:
            if not deadline.expired():
                raise
    raise RequestTimeout(
        f"the request did not finish within {seconds:g} s; ask for less (fewer items, "
        "a shorter period) or try again later"
    )


def is_statement_timeout(exc: BaseException) -> bool:
    """True for a statement PostgreSQL stopped because of ``statement_timeout``."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED
