"""Query limits and request hygiene, from the outside: over a limit answers
QUERY_TOO_COMPLEX before any SQL runs; bad bodies get 400/413/415."""

import pytest


def _auth(token, role="importer"):
    return {"Authorization": f"Bearer {token(role)}"}


async def test_malformed_json_is_400(client, token):
    r = await client.post(
        "/graphql", content=b"{bad", headers={**_auth(token), "content-type": "application/json"}
    )
    assert r.status_code == 400


async def test_other_content_types_are_415(client, token):
    r = await client.post(
        "/graphql", content=b"query", headers={**_auth(token), "content-type": "text/plain"}
    )
    assert r.status_code == 415


async def test_application_graphql_bodies_are_queries(client, token):
    r = await client.post(
        "/graphql",
        content=b"{ me { role } }",
        headers={**_auth(token), "content-type": "application/graphql"},
    )
    assert r.json() == {"data": {"me": {"role": "importer"}}}


async def test_body_over_one_mib_is_413(client, token):
    r = await client.post(
        "/graphql", json={"query": "{ me { role } }" + " " * 1_100_000}, headers=_auth(token)
    )
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


@pytest.mark.parametrize(
    "query",
    [
        "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(51)) + " }",  # 51 aliases
        "{ " + "importer { id } " * 3400 + "}",  # > 10,000 tokens
    ],
    ids=["aliases", "tokens"],
)
async def test_over_a_limit_is_query_too_complex(client, token, query):
    r = await client.post("/graphql", json={"query": query}, headers=_auth(token))
    body = r.json()
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert body.get("data") is None


async def test_depth_over_twelve_is_refused_but_dashboards_pass(client, token):
    level = (
        "dashboard(period: {{preset: LAST_7_DAYS}}) {{ workshopActivity {{ workshop {{ {} }} }} }}"
    )
    inner = "id"
    for _ in range(4):  # workshops > nodes > 4 x 3 levels > id = depth 15
        inner = level.format(inner)
    deep = "{ workshops { nodes { " + inner + " } } }"
    r = await client.post("/graphql", json={"query": deep}, headers=_auth(token))
    assert r.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    ok = "{ workshops { nodes { dashboard(period: {preset: LAST_7_DAYS}) { connectionRate { trend { previous } series { date } info { key } } } } } }"
    r = await client.post("/graphql", json={"query": ok}, headers=_auth(token))
    assert (
        r.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    )  # passes the limits; no importer 'imp' exists


async def test_introspection_is_not_counted_as_depth(client, token):
    from tests.test_role_schemas import INTROSPECT

    r = await client.post(
        "/graphql",
        json={
            "query": "{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }"
        },
        headers=_auth(token),
    )
    assert "errors" not in r.json()
    assert INTROSPECT
