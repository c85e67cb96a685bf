"""What one request did, collected while it runs.

The record lives in a context variable set by the request middleware. Child
tasks (Strawberry runs resolvers concurrently) copy the context and so share the
same mutable record, which is how the SQL statement count reaches it from deep
inside SQLAlchemy without any code in between passing it along.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.principal import Principal

# What a client may send as X-Request-ID: a trace id, a UUID, a ULID. Anything
# else (too long, spaces, control characters) is replaced, never echoed.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


@dataclass
class RequestRecord:
    request_id: str
    method: str
    path: str
    route: str = "other"
    status: int = 0
    duration_seconds: float = 0.0
    sql_statements: int = 0
    operation: str | None = None
    operation_type: str | None = None
    error_codes: list[str] = field(default_factory=list)
    principal: Principal | None = None
    exception: BaseException | None = None

    @property
    def internal(self) -> bool:
        """A bug rather than the client's mistake or an outage."""
        return "INTERNAL" in self.error_codes or (self.status >= 500 and self.status != 503)


_current: ContextVar[RequestRecord | None] = ContextVar("insights_request", default=None)


def current() -> RequestRecord | None:
    return _current.get()


def current_request_id() -> str | None:
    record = _current.get()
    return record.request_id if record else None


def begin(record: RequestRecord) -> Any:
    return _current.set(record)


def end(token: Any) -> None:
    _current.reset(token)


def request_id_from(header: str | None) -> str:
    """The client's X-Request-ID when it is a sane token, else a new one."""
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def count_statements(engine: AsyncEngine) -> None:
    """Count every SQL statement ``engine`` sends into the current request's record."""

    def counted(*_: Any) -> None:
        record = _current.get()
        if record is not None:
            record.sql_statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", counted)
