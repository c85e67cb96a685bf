"""Persisted queries: the APQ round trip (not found → registered → hash only, over
POST and GET, shared through PostgreSQL, bounded), a mismatching hash refused;
trusted documents (INSIGHTS_TRUSTED_ONLY_ROLES) and `insights documents add`."""

import hashlib
import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from server.app import create_app
from tests.live import in_process

ME = "{ me { role sub } }"
PARTNER = "query Partner { me { role partner } }"


def _sha(document):
    return hashlib.sha256(document.encode()).hexdigest()


def _apq(digest):
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def _auth(token, role="importer", **claims):
    return {"Authorization": f"Bearer {token(role, **claims)}"}


async def test_apq_round_trip_over_post_and_get(client, token, engine, settings, database_url):
    headers = _auth(token)
    digest = _sha(ME)
    r = await client.post("/graphql", json={"extensions": _apq(digest)}, headers=headers)
    assert r.status_code == 200
    assert r.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    r = await client.post(
        "/graphql", json={"query": ME, "extensions": _apq(digest)}, headers=headers
    )
    assert r.json() == {"data": {"me": {"role": "importer", "sub": "dev-importer"}}}

    r = await client.post("/graphql", json={"extensions": _apq(digest)}, headers=headers)
    assert r.json() == {"data": {"me": {"role": "importer", "sub": "dev-importer"}}}
    params = {"extensions": json.dumps(_apq(digest))}
    r = await client.get("/graphql", params=params, headers=headers)
    assert r.status_code == 200 and r.json()["data"]["me"]["role"] == "importer"
    assert r.headers["etag"]

    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT sha256, document FROM persisted_queries"))).all()
    assert stored == [(digest, ME)]
    # another API process on the same database knows the hash too
    other = create_app(settings, database_url=database_url, migrate=False)
    async with in_process(other) as second:
        r = await second.post("/graphql", json={"extensions": _apq(digest)}, headers=headers)
    assert r.json()["data"]["me"]["role"] == "importer"


async def test_a_mismatching_hash_is_refused_and_not_stored(client, token, engine):
    r = await client.post(
        "/graphql",
        json={"query": ME, "extensions": _apq(_sha("{ me { sub } }"))},
        headers=_auth(token),
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM persisted_queries"))).scalar() == 0


@pytest.mark.parametrize(
    "extensions",
    [{"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}}, _apq("not-a-hash")],
)
async def test_bad_persisted_query_extensions_are_400(client, token, extensions):
    r = await client.post("/graphql", json={"extensions": extensions}, headers=_auth(token))
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_the_store_is_bounded(settings, database_url, token, engine):
    small = settings.model_copy(update={"apq_max_documents": 2})
    app = create_app(small, database_url=database_url, migrate=False)
    async with in_process(app) as http:
        for field in ("role", "sub", "importer"):
            document = f"{{ me {{ {field} }} }}"
            body = {"query": document, "extensions": _apq(_sha(document))}
            assert (
                "errors"
                not in (await http.post("/graphql", json=body, headers=_auth(token))).json()
            )
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM persisted_queries"))).scalar() == 2


@pytest.fixture
async def trusted(settings, database_url, tmp_path):
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({_sha(PARTNER): PARTNER}))
    configured = settings.model_copy(
        update={"trusted_documents": manifest, "trusted_only_roles": "sales_partner,integration"}
    )
    app = create_app(configured, database_url=database_url, migrate=False)
    async with in_process(app) as http:
        yield http


async def test_a_trusted_only_role_runs_manifest_documents_only(trusted, token):
    partner = _auth(token, "sales_partner", partner="p1")
    for body in ({"query": ME}, {"query": ME, "extensions": _apq(_sha(ME))}):
        r = await trusted.post("/graphql", json=body, headers=partner)
        assert r.status_code == 403
        assert r.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    r = await trusted.get("/graphql", params={"query": ME}, headers=partner)
    assert r.status_code == 403
    expected = {"data": {"me": {"role": "sales_partner", "partner": "p1"}}}
    r = await trusted.post("/graphql", json={"extensions": _apq(_sha(PARTNER))}, headers=partner)
    assert r.json() == expected
    params = {"extensions": json.dumps(_apq(_sha(PARTNER)))}
    r = await trusted.get("/graphql", params=params, headers=partner)
    assert r.json() == expected
    # other roles still compose their own queries
    r = await trusted.post("/graphql", json={"query": ME}, headers=_auth(token))
    assert r.json()["data"]["me"]["role"] == "importer"


def _documents_add(*args):
    return subprocess.run(
        [sys.executable, "-c", "from server.cli import main; main()", "documents", "add", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_documents_add_validates_against_every_role_and_writes(tmp_path):
    manifest = tmp_path / "trusted.json"
    good = tmp_path / "partner.graphql"
    good.write_text("query Partner($id: ID!) { salesPartner(id: $id) { name } }\n")
    bad = tmp_path / "bad.graphql"
    bad.write_text("{ salesPartner(id: 1) { nope } }\n")
    result = _documents_add(str(good), str(bad), "--manifest", str(manifest))
    assert result.returncode == 1, result.stderr
    assert "bad.graphql" in result.stderr and not manifest.exists()

    result = _documents_add(str(good), "--manifest", str(manifest))
    assert result.returncode == 0, result.stderr
    digest = _sha(good.read_text())
    assert digest in result.stdout and "sales_partner" in result.stdout
    assert "workshop" not in result.stdout.split("roles:")[1]
    assert json.loads(manifest.read_text()) == {digest: good.read_text()}
