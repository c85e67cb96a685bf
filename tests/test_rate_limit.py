"""Rate limiting per principal: a token bucket, 429 JSON with Retry-After past
it, independent buckets per principal, off by default in development."""

from __future__ import annotations

import httpx
from asgi_lifespan import LifespanManager

from server.app import create_app
from server.ratelimit import TokenBuckets

QUERY = {"query": "{ me { sub role } }"}


async def _answers(settings, database_url, requests):
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return [
                await http.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {jwt}"})
                for jwt in requests
            ]


async def test_past_the_burst_a_principal_gets_429_with_retry_after(settings, database_url, token):
    # One token per 1000 s: nothing refills while the test runs, however slow.
    limited = settings.model_copy(update={"rate_limit": 0.001, "rate_limit_burst": 2})
    alice, bob = token("importer", sub="alice"), token("importer", sub="bob")
    answers = await _answers(limited, database_url, [alice, alice, alice, bob])
    assert [a.status_code for a in answers] == [200, 200, 429, 200]
    refused = answers[2]
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["retry-after"]) <= 1000


async def test_off_in_development_on_in_production(settings, database_url, token):
    assert settings.environment == "development" and settings.effective_rate_limit == 0
    small_burst = settings.model_copy(update={"rate_limit_burst": 1})
    jwt = token("importer")
    answers = await _answers(small_burst, database_url, [jwt] * 5)
    assert [a.status_code for a in answers] == [200] * 5
    production = settings.model_copy(update={"environment": "production"})
    assert production.effective_rate_limit > 0


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=3, clock=lambda: now[0])
    key = ("imp", "importer", "alice")
    assert [buckets.take(key) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take(key) == 0.5  # one token comes back in half a second
    now[0] = 0.5
    assert buckets.take(key) == 0.0
    now[0] = 100.0  # never more than the burst
    assert [buckets.take(key) for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]
    assert buckets.take(("imp", "importer", "bob")) == 0.0
