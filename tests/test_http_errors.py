"""Every error from every route is JSON in one shape, with ``extensions.code``:
HTTP-level refusals (bad JSON, batch, GET mutation, 404, 405, 413, 415), REST
ingest and the PDF route alike; the token is checked before any route runs."""

import pytest
from sqlalchemy import text

from server.app import create_app
from tests.live import in_process
from tests.oracle.fixtures import insert_importer, insert_workshop
from tests.statements import counting


def _auth(token, role="importer", **claims):
    return {"Authorization": f"Bearer {token(role, **claims)}"}


def _one_shape(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"errors"}
    error = body["errors"][0]
    assert isinstance(error["message"], str) and error["message"]
    assert error["extensions"]["code"] == code
    return body


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("GET", "/nowhere", {}, 404, "NOT_FOUND"),
        ("PUT", "/graphql", {"json": {"query": "{ me { role } }"}}, 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", "/healthz", {}, 405, "METHOD_NOT_ALLOWED"),
        (
            "POST",
            "/graphql",
            {"content": b"{bad", "headers": {"content-type": "application/json"}},
            400,
            "BAD_REQUEST",
        ),
        (
            "POST",
            "/graphql",
            {"json": [{"query": "{ me { role } }"}, {"query": "{ me { sub } }"}]},
            400,
            "BAD_REQUEST",
        ),
        ("POST", "/graphql", {"json": {"variables": {}}}, 400, "BAD_REQUEST"),
        (
            "POST",
            "/graphql",
            {"content": b"q", "headers": {"content-type": "text/plain"}},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "POST",
            "/graphql",
            {"json": {"query": "{ me { role } }" + " " * 1_100_000}},
            413,
            "QUERY_TOO_COMPLEX",
        ),
    ],
    ids=[
        "unknown path",
        "PUT graphql",
        "DELETE healthz",
        "bad JSON",
        "batch",
        "no query",
        "415",
        "413",
    ],
)
async def test_http_level_errors_share_the_graphql_error_shape(
    client, token, method, path, kwargs, status, code
):
    headers = {**_auth(token), **kwargs.pop("headers", {})}
    response = await client.request(method, path, headers=headers, **kwargs)
    _one_shape(response, status, code)


async def test_a_mutation_over_get_is_405_and_writes_nothing(client, token, engine):
    await _importer(engine)
    mutation = "mutation { setConnectionRateGoal(goal: 0.5) { goal } }"
    response = await client.get("/graphql", params={"query": mutation}, headers=_auth(token))
    _one_shape(response, 405, "METHOD_NOT_ALLOWED")
    async with engine.connect() as conn:
        goal = (await conn.execute(text("SELECT connection_rate_goal FROM importers"))).scalar()
    assert goal is None


@pytest.mark.parametrize("path", ["/graphql", "/reports/partners/p1.pdf", "/ingest/visits"])
async def test_every_protected_route_refuses_a_bad_token_the_same_way(client, path):
    method = "GET" if path.endswith(".pdf") else "POST"
    response = await client.request(
        method, path, headers={"Authorization": "Bearer nope", "content-type": "text/csv"}
    )
    body = _one_shape(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"] == "Bearer"
    assert body == {
        "errors": [{"message": "malformed token", "extensions": {"code": "UNAUTHENTICATED"}}]
    }


async def test_a_refused_token_runs_no_sql(settings, database_url):
    app = create_app(settings, database_url=database_url, migrate=False)
    async with in_process(app) as client:
        await _refused(app, client)


async def _refused(app, client):
    with counting(app.state.insights.engine) as statements:
        response = await client.post(
            "/graphql", json={"query": "{ importer { name } }"}, headers={"Authorization": "x"}
        )
    assert response.status_code == 401
    assert statements == []


async def test_ingest_errors_use_the_graphql_conventions(client, token, engine):
    await _importer(engine, workshop="w1")
    auth = {**_auth(token, "integration"), "content-type": "text/csv"}
    csv = (
        "campaign_ref,workshop_ref,sent_at,recipients\n"
        'c1,w1,2026-11-01T09:00:00+01:00,"4\n0"\n'  # a quoted cell spanning two lines
        "c2,w1,2026-11-02,x\n"
    )
    response = await client.post("/ingest/campaigns", content=csv, headers=auth)
    body = _one_shape(response, 422, "BAD_USER_INPUT")
    assert body["kind"] == "campaigns" and body["accepted"] == 0
    found = {
        (e["extensions"]["row"], e["extensions"]["line"], e["extensions"]["column"])
        for e in body["errors"]
    }
    assert (1, 4, "sentAt") in found and (1, 4, "recipients") in found
    response = await client.post(
        "/ingest/campaigns", content=csv, headers={**auth, "content-type": "application/json"}
    )
    _one_shape(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    response = await client.post("/ingest/campaigns", content=csv, headers={**auth, **_auth(token)})
    _one_shape(response, 403, "FORBIDDEN")
    response = await client.post("/ingest/nonsense", content=csv, headers=auth)
    _one_shape(response, 400, "BAD_USER_INPUT")


async def test_pdf_errors_share_the_shape(client, token):
    response = await client.get(
        "/reports/partners/p1.pdf", headers=_auth(token, "workshop", workshops=["w"])
    )
    _one_shape(response, 404, "NOT_FOUND")


async def _importer(engine, workshop=None):
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp", timezone="UTC")
        if workshop:
            await insert_workshop(conn, imp, ref=workshop)
