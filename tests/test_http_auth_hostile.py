"""Ambiguous credentials through HTTP: a time claim given as a string and a
request carrying two Authorization headers are refused with a JSON 401 on
every door, whichever header comes first."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import TEST_SECRET

NOW = int(time.time())
GOOD = {
    "sub": "u",
    "role": "integration",
    "importer": "imp",
    "iss": "insights",
    "aud": "insights-api",
    "iat": NOW,
    "exp": NOW + 600,
}
DOORS = [
    ("POST", "/graphql", {"Content-Type": "application/json"}, b'{"query": "{ me { role } }"}'),
    ("POST", "/ingest/campaigns", {"Content-Type": "text/csv"}, b"campaign_ref\n"),
    ("GET", "/reports/partners/P1.pdf", {}, b""),
]


def _refused(response) -> str:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    return str(body["errors"][0]["message"])


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(("method", "path", "headers", "body"), DOORS, ids=["gql", "ingest", "pdf"])
async def test_a_time_claim_as_a_string_is_refused(client, claim, method, path, headers, body):
    value = GOOD.get(claim, NOW - 10)
    token = jwt.encode({**GOOD, claim: str(value)}, TEST_SECRET, algorithm="HS256")
    response = await client.request(
        method, path, content=body, headers={**headers, "Authorization": f"Bearer {token}"}
    )
    assert _refused(response) == f"{claim} claim must be a number"


@pytest.mark.parametrize("good_first", [True, False])
@pytest.mark.parametrize(("method", "path", "headers", "body"), DOORS, ids=["gql", "ingest", "pdf"])
async def test_two_authorization_headers_are_refused(
    client, token, good_first, method, path, headers, body
):
    good = ("Authorization", f"Bearer {token('integration')}")
    other = ("Authorization", "Bearer not.a.token")
    pairs = [*headers.items(), *((good, other) if good_first else (other, good))]
    response = await client.request(method, path, content=body, headers=pairs)
    assert "several Authorization headers" in _refused(response)
