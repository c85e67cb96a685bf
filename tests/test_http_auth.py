"""The JWT matrix through HTTP, as an attacker sends it: every bad token is a
401 with a GraphQL-shaped UNAUTHENTICATED error, before any execution."""

import base64
import json
import time

import jwt
import pytest

from tests.conftest import TEST_SECRET

NOW = int(time.time())
GOOD = {
    "sub": "u",
    "role": "importer",
    "importer": "imp",
    "iss": "insights",
    "aud": "insights-api",
    "iat": NOW,
    "exp": NOW + 600,
}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


CASES = {
    "expired": jwt.encode({**GOOD, "exp": NOW - 120}, TEST_SECRET, algorithm="HS256"),
    "wrong audience": jwt.encode({**GOOD, "aud": "other"}, TEST_SECRET, algorithm="HS256"),
    "wrong issuer": jwt.encode({**GOOD, "iss": "evil"}, TEST_SECRET, algorithm="HS256"),
    "wrong key": jwt.encode(GOOD, "not-the-secret-" + "y" * 30, algorithm="HS256"),
    "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(GOOD)}.",
    "wrong algorithm": jwt.encode(GOOD, TEST_SECRET + "z" * 12, algorithm="HS512"),
    "unknown role": jwt.encode({**GOOD, "role": "admin"}, TEST_SECRET, algorithm="HS256"),
    "workshop without workshops": jwt.encode(
        {**GOOD, "role": "workshop"}, TEST_SECRET, algorithm="HS256"
    ),
    "sales_partner without partner": jwt.encode(
        {**GOOD, "role": "sales_partner"}, TEST_SECRET, algorithm="HS256"
    ),
    "no exp": jwt.encode(
        {k: v for k, v in GOOD.items() if k != "exp"}, TEST_SECRET, algorithm="HS256"
    ),
    "garbage": "not.a.token",
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_bad_tokens_are_401(client, name):
    r = await client.post(
        "/graphql",
        json={"query": "{ me { role } }"},
        headers={"Authorization": f"Bearer {CASES[name]}"},
    )
    assert r.status_code == 401
    body = r.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert TEST_SECRET not in r.text


async def test_expiry_has_thirty_seconds_leeway(client):
    now = int(time.time())  # not NOW: the module may have been imported minutes ago
    token = jwt.encode({**GOOD, "iat": now - 60, "exp": now - 10}, TEST_SECRET, algorithm="HS256")
    r = await client.post(
        "/graphql", json={"query": "{ me { role } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.json() == {"data": {"me": {"role": "importer"}}}


@pytest.mark.parametrize("header", [None, "Basic abc", "Bearer", "bearer  "])
async def test_missing_or_malformed_header_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    r = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=headers)
    assert r.status_code == 401


async def test_pdf_and_ingest_need_tokens_too(client):
    assert (await client.get("/reports/partners/p1.pdf")).status_code == 401
    assert (
        await client.post("/ingest/visits", content="x", headers={"content-type": "text/csv"})
    ).status_code == 401
