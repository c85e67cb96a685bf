"""When the database is unreachable the process stays up: /healthz 200, /readyz
503, GraphQL answers SERVICE_UNAVAILABLE with HTTP 503; when migrations lag,
/readyz says so."""

import os

import asyncpg
import httpx

from server.app import create_app
from tests.conftest import _with_database


async def _client(settings, url):
    app = create_app(settings, database_url=url, migrate=False)
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_database_down_is_503_and_the_process_stays_up(settings, token):
    app, http = await _client(settings, "postgresql://nobody@127.0.0.1:1/none")
    async with http:
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/readyz")).status_code == 503
        r = await http.post(
            "/graphql",
            json={"query": "{ importer { name } }"},
            headers={"Authorization": f"Bearer {token('importer')}"},
        )
        assert r.status_code == 503
        assert r.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        r = await http.post(
            "/graphql",
            json={"query": "{ me { role } }"},
            headers={"Authorization": f"Bearer {token('importer')}"},
        )
        assert r.status_code == 200  # what needs no database still answers
    await app.state.insights.engine.dispose()


async def test_readyz_reports_migrations_behind(settings, server_url):
    name = f"t_unmigrated_{os.getpid()}"
    admin = await asyncpg.connect(_with_database(server_url, "postgres"))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.execute(f"CREATE DATABASE {name}")
        app, http = await _client(settings, _with_database(server_url, name))
        async with http:
            r = await http.get("/readyz")
        await app.state.insights.engine.dispose()
        assert r.status_code == 503 and r.json()["migrations"] == "behind"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
