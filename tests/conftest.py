"""Fixtures: a real PostgreSQL (embedded, or TEST_DATABASE_URL) and a fresh
database per test, cloned from a migrated template so each test starts clean."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from server.auth.principal import Role
from server.auth.tokens import mint_token
from server.config import Settings
from server.db import make_engine, plain_url, start_embedded
from server.migrate import upgrade
from tests.live import in_process

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


# --- HTTP: the app as a client sees it --------------------------------------


TEST_SECRET = "test-secret-" + "x" * 40
TODAY = date(2026, 11, 24)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        jwt_secret=TEST_SECRET,
        data_dir=tmp_path,
        today=TODAY,
        process_schedule=False,
        warmup=False,  # statement counts of a cold start stay exact; tests/test_warmup.py
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def token(settings: Settings) -> Callable[..., str]:
    """token(role, importer="imp", workshops=(), partner=None, sub=None) -> JWT."""

    def mint(
        role: str,
        importer: str = "imp",
        workshops: Sequence[str] = (),
        partner: str | None = None,
        sub: str | None = None,
    ) -> str:
        return mint_token(
            settings,
            role=Role(role),
            importer=importer,
            workshops=workshops,
            partner=partner,
            sub=sub,
        )

    return mint


@pytest.fixture
def app(settings: Settings, database_url: str) -> Starlette:
    """The application on the test database (tests that count its engine's statements)."""
    from server.app import create_app

    return create_app(settings, database_url=database_url, migrate=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(app) as http:
        yield http


@pytest.fixture
def gql(client: httpx.AsyncClient, token: Callable[..., str]) -> Callable[..., object]:
    """await gql(query, variables=None, *, as_=("importer",), **claims) -> response JSON."""

    async def run(
        query: str,
        variables: dict[str, object] | None = None,
        *,
        role: str = "importer",
        **claims: object,
    ) -> dict[str, object]:
        jwt = token(role, **claims)
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {jwt}"},
        )
        body: dict[str, object] = response.json()
        body["_status"] = response.status_code
        return body

    return run
