"""Validation results are kept per parsed document (server/schema/validation_memo.py)
and per role schema: the same query text that one role may send is still refused
for a role whose schema lacks the field, whatever was validated before.
Real HTTP (ASGI), real PostgreSQL."""

import pytest

from server.app import create_app
from tests.live import in_process
from tests.oracle.fixtures import insert_importer, insert_workshop

DASHBOARD = "{ activationsDashboard(period: {preset: LAST_30_DAYS}) { newActivations { value } } }"
BROKEN = "{ importer { name nosuchfield } }"


@pytest.fixture
async def client(settings, database_url, engine):
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp", timezone="UTC")
        await insert_workshop(conn, imp, ref="w1")
    app = create_app(settings, database_url=database_url, migrate=False)
    async with in_process(app) as http:
        yield http


async def _post(client, token, query, role, **claims):
    headers = {"Authorization": f"Bearer {token(role, **claims)}"}
    return (await client.post("/graphql", json={"query": query}, headers=headers)).json()


async def test_a_document_valid_for_one_role_is_refused_for_another(client, token):
    for _ in range(2):  # the second round finds kept results
        assert "errors" not in await _post(client, token, DASHBOARD, "importer")
        refused = await _post(client, token, DASHBOARD, "sales_partner", partner="P1")
        assert refused.get("data") is None
        assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_an_invalid_document_stays_invalid(client, token):
    for _ in range(2):
        answer = await _post(client, token, BROKEN, "importer")
        assert answer["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
