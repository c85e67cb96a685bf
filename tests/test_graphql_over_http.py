"""GraphQL over HTTP: application/graphql-response+json when accepted, 4xx and
no data for requests that never executed, Apollo-style codes; and the community
audit (npm graphql-http's auditServer) against a real server: 0 warnings, 0 errors."""

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from server.app import create_app
from tests.live import serving

AUDIT = Path(__file__).parent / "tools" / "graphql-http"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _headers(token, accept=GRAPHQL_RESPONSE, role="importer"):
    return {"Authorization": f"Bearer {token(role)}", "Accept": accept}


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ me { role ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ me { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int!) { workshops(first: $n) { totalCount } }", {"n": "x"}, "BAD_USER_INPUT"),
        (
            "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(51)) + " }",
            None,
            "QUERY_TOO_COMPLEX",
        ),
    ],
    ids=["parse", "validation", "coercion", "limit"],
)
async def test_request_errors_are_4xx_without_data_for_graphql_response_json(
    client, token, query, variables, code
):
    body = {"query": query, "variables": variables}
    r = await client.post("/graphql", json=body, headers=_headers(token))
    assert r.status_code == 400
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    answer = r.json()
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == code
    # application/json clients keep the classic answer: 200 and "data": null
    r = await client.post("/graphql", json=body, headers=_headers(token, "application/json"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json()["data"] is None
    assert r.json()["errors"][0]["extensions"]["code"] == code


async def test_executed_requests_stay_200_with_data(client, token):
    r = await client.post(
        "/graphql",
        json={"query": '{ me { role } workshop(id: "x") { id } }'},
        headers=_headers(token),
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = r.json()
    assert "data" in body  # execution ran: data stays, even when null
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json, application/graphql-response+json", "application/json"),
        ("application/json;q=0.9, application/graphql-response+json", GRAPHQL_RESPONSE),
    ],
)
async def test_media_type_follows_accept(client, token, accept, media):
    headers = {"Authorization": f"Bearer {token('importer')}"}
    if accept:
        headers["Accept"] = accept
    r = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=headers)
    assert r.headers["content-type"].startswith(media)


@pytest.fixture(scope="session")
def audit_tool():
    """graphql-http from npm, installed by the test setup into a git-ignored folder."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are needed for the GraphQL-over-HTTP audit"
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=AUDIT, check=True)
    return node


async def test_graphql_http_audit_has_no_warnings_and_no_errors(
    settings, database_url, token, audit_tool
):
    app = create_app(settings, database_url=database_url, migrate=False)
    async with serving(app) as url:
        process = await asyncio.create_subprocess_exec(
            audit_tool,
            str(AUDIT / "audit.js"),
            f"{url}/graphql",
            token("importer"),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await process.communicate()
    results = json.loads(out)
    print(f"graphql-http audit: {len(results)} audits, all ok" if results else "no audits")
    assert len(results) > 50
    problems = [r for r in results if r["status"] != "ok"]
    assert problems == []
