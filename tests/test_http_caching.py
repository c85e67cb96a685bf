"""GET queries and HTTP caching: GET answers carry an ETag and Cache-Control;
If-None-Match with the current tag is a 304 without the query's SQL; any ingest,
processing run or mutation gives a new tag; POST answers are no-store."""

from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.oracle.fixtures import insert_importer, insert_workshop
from tests.statements import counting

QUERY = "{ workshops { totalCount nodes { id name connectionRateGoal } } }"


def _auth(token, role="importer", **claims):
    return {"Authorization": f"Bearer {token(role, **claims)}"}


async def _tenant(engine):
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp", timezone="UTC")
        for ref in ("w1", "w2"):
            await insert_workshop(conn, imp, ref=ref)


async def _get(client, headers, query=QUERY, **extra):
    return await client.get("/graphql", params={"query": query}, headers={**headers, **extra})


async def test_get_answers_queries_with_etag_and_private_max_age(client, token, engine):
    await _tenant(engine)
    r = await _get(client, _auth(token))
    assert r.status_code == 200
    assert r.json()["data"]["workshops"]["totalCount"] == 2
    assert r.headers["etag"].startswith('"')
    assert r.headers["cache-control"] == "private, max-age=60"
    post = await client.post("/graphql", json={"query": QUERY}, headers=_auth(token))
    assert post.headers["cache-control"] == "no-store"
    assert "etag" not in post.headers


async def test_if_none_match_is_304_without_the_querys_sql(app, client, token, engine):
    await _tenant(engine)
    headers = _auth(token)
    with counting(app.state.insights.engine) as first:
        r = await _get(client, headers)
    tag = r.headers["etag"]
    with counting(app.state.insights.engine) as again:
        cached = await _get(client, headers, **{"If-None-Match": tag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == tag
    assert len(again) == 1 and "content_versions" in again[0]  # the version probe only
    assert len(first) > len(again)
    # same tag for the same answer; another principal gets its own
    assert (await _get(client, headers)).headers["etag"] == tag
    other = await _get(client, _auth(token, "workshop", workshops=["w1"]))
    assert other.headers["etag"] != tag


async def test_ingest_processing_and_mutations_give_a_new_tag(client, token, engine):
    await _tenant(engine)
    headers = _auth(token)
    tags = [(await _get(client, headers)).headers["etag"]]

    csv = "workshop_ref,importer_ref,name\nw3,imp,Gamma\n"
    ingest_headers = {**_auth(token, "integration"), "content-type": "text/csv"}
    assert (
        await client.post("/ingest/workshops", content=csv, headers=ingest_headers)
    ).status_code == 200
    r = await _get(client, headers, **{"If-None-Match": tags[-1]})
    assert r.status_code == 200 and r.json()["data"]["workshops"]["totalCount"] == 3
    tags.append(r.headers["etag"])

    await run_processing(engine, today=TODAY)
    r = await _get(client, headers, **{"If-None-Match": tags[-1]})
    assert r.status_code == 200
    tags.append(r.headers["etag"])

    mutation = 'mutation { setConnectionRateGoal(workshopId: "w1", goal: 0.4) { goal } }'
    assert (
        "errors"
        not in (await client.post("/graphql", json={"query": mutation}, headers=headers)).json()
    )
    r = await _get(client, headers, **{"If-None-Match": tags[-1]})
    assert r.status_code == 200
    tags.append(r.headers["etag"])
    assert len(set(tags)) == 4


async def test_variables_in_any_key_order_share_a_tag(client, token, engine):
    await _tenant(engine)
    query = "query($n: Int, $a: String) { workshops(first: $n, after: $a) { totalCount } }"
    headers = _auth(token)
    one = await client.get(
        "/graphql", params={"query": query, "variables": '{"n": 1, "a": null}'}, headers=headers
    )
    two = await client.get(
        "/graphql", params={"query": query, "variables": '{"a": null, "n": 1}'}, headers=headers
    )
    assert one.status_code == two.status_code == 200
    assert one.headers["etag"] == two.headers["etag"]
