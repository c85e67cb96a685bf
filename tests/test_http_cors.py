"""CORS: an allowed origin's preflight gets the allowed headers and methods, a
disallowed origin gets no Access-Control-Allow-Origin; no cookies, ever."""

import httpx
import pytest
from asgi_lifespan import LifespanManager

from server.app import create_app
from server.config import ConfigError, Settings, load_settings

ALLOWED = "https://app.example.com"


@pytest.fixture
async def cors_client(settings, database_url):
    configured = settings.model_copy(update={"cors_origins": f"{ALLOWED}, http://localhost:5173"})
    app = create_app(configured, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            yield http


def _preflight(origin, method="POST", headers="authorization, content-type"):
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


@pytest.mark.parametrize("path", ["/graphql", "/reports/partners/p1.pdf"])
async def test_preflight_from_an_allowed_origin(cors_client, path):
    r = await cors_client.options(path, headers=_preflight(ALLOWED))
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")} >= {
        "authorization",
        "content-type",
    }
    assert {m.strip() for m in r.headers["access-control-allow-methods"].split(",")} >= {
        "GET",
        "POST",
    }
    assert "access-control-allow-credentials" not in r.headers


async def test_preflight_from_another_origin_is_refused(cors_client):
    r = await cors_client.options("/graphql", headers=_preflight("https://evil.example"))
    assert "access-control-allow-origin" not in r.headers
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_actual_requests_carry_the_origin_only_when_allowed(cors_client, token):
    auth = {"Authorization": f"Bearer {token('importer')}"}
    query = {"query": "{ me { role } }"}
    r = await cors_client.post("/graphql", json=query, headers={**auth, "Origin": ALLOWED})
    assert r.json() == {"data": {"me": {"role": "importer"}}}
    assert r.headers["access-control-allow-origin"] == ALLOWED
    r = await cors_client.post("/graphql", json=query, headers={**auth, "Origin": "https://x.y"})
    assert "access-control-allow-origin" not in r.headers
    # a 401 still tells an allowed page what went wrong
    r = await cors_client.post("/graphql", json=query, headers={"Origin": ALLOWED})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == ALLOWED


async def test_no_origin_is_allowed_by_default(client):
    r = await client.options("/graphql", headers=_preflight(ALLOWED))
    assert "access-control-allow-origin" not in r.headers
    assert Settings(_env_file=None).cors_origin_list == []  # type: ignore[call-arg]


def test_a_bad_origin_setting_stops_start_up(monkeypatch):
    monkeypatch.setenv("INSIGHTS_CORS_ORIGINS", "app.example.com/")
    with pytest.raises(ConfigError, match="INSIGHTS_CORS_ORIGINS"):
        load_settings()
