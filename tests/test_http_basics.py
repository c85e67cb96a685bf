"""The server from the outside: health, readiness, identity, and the 401 shape."""

from sqlalchemy import text


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text


async def test_me_reflects_the_token(gql):
    body = await gql(
        "{ me { sub role importer workshops partner } }",
        role="workshop",
        workshops=["w1", "w2"],
        sub="u-7",
    )
    assert body["data"] == {
        "me": {
            "sub": "u-7",
            "role": "workshop",
            "importer": "imp",
            "workshops": ["w1", "w2"],
            "partner": None,
        }
    }


async def test_missing_token_is_401_with_graphql_shaped_error(client):
    response = await client.post("/graphql", json={"query": "{ me { role } }"})
    assert response.status_code == 401
    body = response.json()
    assert "data" not in body  # nothing was executed
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_unknown_importer_in_token_is_not_found(gql):
    body = await gql("{ importer { name } }", importer="nope")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_importer_and_workshops(gql, engine):
    async with engine.begin() as conn:
        imp = (
            await conn.execute(
                text(
                    "INSERT INTO importers (importer_ref, name, timezone, lead_due_days, lead_rating_enabled, customer_rating_enabled) VALUES ('imp', 'Importer', 'Europe/Copenhagen', 30, false, false) RETURNING id"
                )
            )
        ).scalar_one()
        for ref, name in [("w1", "Alpha"), ("w2", "Beta"), ("w3", "Gamma")]:
            await conn.execute(
                text("INSERT INTO workshops (importer_id, workshop_ref, name) VALUES (:i, :r, :n)"),
                {"i": imp, "r": ref, "n": name},
            )
    body = await gql(
        "{ importer { id name } workshops(first: 2) { totalCount nodes { id name } pageInfo { hasNextPage endCursor } } }"
    )
    assert body["data"]["importer"] == {"id": "imp", "name": "Importer"}
    conn_ = body["data"]["workshops"]
    assert conn_["totalCount"] == 3
    assert [n["id"] for n in conn_["nodes"]] == ["w1", "w2"]
    assert conn_["pageInfo"]["hasNextPage"] is True
    after = conn_["pageInfo"]["endCursor"]
    body = await gql(
        "query($a: String) { workshops(first: 2, after: $a) { totalCount nodes { id } pageInfo { hasNextPage } } }",
        {"a": after},
    )
    assert body["data"]["workshops"] == {
        "totalCount": 3,
        "nodes": [{"id": "w3"}],
        "pageInfo": {"hasNextPage": False},
    }
    # a workshop user sees only its own workshops; another id answers like a missing one
    body = await gql("{ workshops { totalCount nodes { id } } }", role="workshop", workshops=["w2"])
    assert body["data"]["workshops"] == {"totalCount": 1, "nodes": [{"id": "w2"}]}
    body = await gql('{ workshop(id: "w1") { id } }', role="workshop", workshops=["w2"])
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql('{ workshop(id: "zzz") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_another_importers_workshop_is_not_found(gql, engine):
    async with engine.begin() as conn:
        for imp_ref, ws_ref in [("imp", "w1"), ("rival", "r1")]:
            imp = (
                await conn.execute(
                    text(
                        "INSERT INTO importers (importer_ref, name, timezone, lead_due_days, lead_rating_enabled, customer_rating_enabled) VALUES (:r, :r, 'UTC', 30, false, false) RETURNING id"
                    ),
                    {"r": imp_ref},
                )
            ).scalar_one()
            await conn.execute(
                text("INSERT INTO workshops (importer_id, workshop_ref, name) VALUES (:i, :w, :w)"),
                {"i": imp, "w": ws_ref},
            )
    missing = await gql('{ workshop(id: "nope") { id } }')
    foreign = await gql('{ workshop(id: "r1") { id } }')
    assert foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert foreign["errors"][0]["message"].replace("r1", "X") == missing["errors"][0][
        "message"
    ].replace("nope", "X")
    body = await gql(
        '{ activationsDashboard(workshopIds: ["w1", "r1"], period: {preset: LAST_7_DAYS}) { newActivations { value } } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql("{ workshops { totalCount nodes { id } } }")
    assert body["data"]["workshops"] == {"totalCount": 1, "nodes": [{"id": "w1"}]}
    # a workshop token naming the rival's workshop sees nothing of it either
    body = await gql('{ workshop(id: "r1") { id } }', role="workshop", workshops=["r1"])
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
