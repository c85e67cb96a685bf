"""Telling "the database cannot be reached" apart from everything else, and
saying it in one line that names where the command tried to connect."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

# Failures to open or keep a connection (network, authentication, a missing
# database, a server starting up or shutting down), never errors in a statement.
UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,
    OperationalError,
    InterfaceError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,
    asyncpg.exceptions.InvalidCatalogNameError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
)


def unreachable_message(url: str, exc: BaseException, *, embedded: bool) -> str:
    """One line: where, which setting, and the innermost reason."""
    try:
        parsed = make_url(url)
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        database = f"/{parsed.database}" if parsed.database else ""
    except ArgumentError:
        where, database = "?", ""
    source = "the embedded database" if embedded else "DATABASE_URL"
    return f"cannot reach the database at {where}{database} ({source}): {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    while True:
        inner = exc.__cause__ or exc.__context__
        if inner is None or not isinstance(inner, UNREACHABLE):
            break
        exc = inner
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
