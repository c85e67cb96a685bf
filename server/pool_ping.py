"""Checking that a pooled connection is alive as it is checked out, in one round trip.

SQLAlchemy's ``pool_pre_ping`` on asyncpg wraps its ping in ``BEGIN`` … ``ROLLBACK``
(for pgbouncer's transaction mode, which this server does not use): three round
trips on every checkout, a request's largest fixed cost after its statements.
This listener pings with one empty statement and otherwise behaves the same: a
dead connection raises ``DisconnectionError``, so the pool discards it and checks
out a fresh one (after a database restart no request sees a stale connection).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine


def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    try:
        dbapi_connection.run_async(lambda connection: connection.fetchrow(";"))
    except Exception as exc:
        raise DisconnectionError(f"pooled connection is gone: {exc}") from exc


def install_ping(engine: AsyncEngine) -> None:
    """Ping every connection ``engine``'s pool hands out (before other checkout hooks)."""
    if not event.contains(engine.sync_engine, "checkout", _ping):
        event.listen(engine.sync_engine, "checkout", _ping, insert=True)
