"""Fixtures: a real PostgreSQL (embedded, or TEST_DATABASE_URL) and a fresh
database per test, cloned from a migrated template so each test starts clean."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from server.db import make_engine, plain_url, start_embedded
from server.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = f"insights_template_{os.getpid()}"
_counter = itertools.count()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(plain_url(url))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def server_url() -> str:
    """A URL to a PostgreSQL server the tests may create databases on."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        return external
    return start_embedded(ROOT / ".data" / "test")


@pytest.fixture(scope="session")
def template_url(server_url: str) -> Iterator[str]:
    import asyncio

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_with_database(server_url, "postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f"DROP DATABASE IF EXISTS {TEMPLATE}"))
    asyncio.run(admin(f"CREATE DATABASE {TEMPLATE}"))
    url = _with_database(server_url, TEMPLATE)
    upgrade(url)
    yield url
    asyncio.run(admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))


@pytest.fixture
async def database_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test (dropped afterwards)."""
    name = f"t_{os.getpid()}_{next(_counter)}"
    admin = await asyncpg.connect(_with_database(server_url, "postgres"))
    try:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        yield _with_database(server_url, name)
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url, pool_size=5)
    yield eng
    await eng.dispose()
