"""Who sees which sales partner, and what a sales partner learns about its
competitors (API.md, roles table): nothing but counts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.oracle.fixtures import insert_importer
from tests.test_partner_dashboard import NAMES, P, Q, R, build_world

EVERYTHING = """
fragment T on Trend { previous change changePercent direction favorable }
query($filter: PartnerFilterInput!) {
  me { role partner }
  importer { id name }
  salesPartners { nodes {
    id name partnerSince workshop { id name }
    dashboard(filter: $filter) {
      pipeline { openLeads overdueLeads totalLeadsReceived partnerSince }
      leadPick { offersReceived { value trend { ...T } info { key title description } } }
      outflow {
        total { value trend { ...T } series { date value } info { key title description } }
        byPartner { partner { id name } count }
      }
    }
  } }
}"""

LIST = "{ salesPartners { nodes { id name } } }"
ONE = "query($id: ID!) { salesPartner(id: $id) { id name } }"
MONTH = {"period": {"preset": "CURRENT_MONTH"}}


def competitors() -> list[str]:
    """Every ref and name of p's competitors: none may reach p's sales-partner users."""
    return [Q, R, NAMES[Q], NAMES[R]]


@pytest.mark.parametrize("role", ["importer", "partner_manager"])
async def test_importer_and_partner_manager_see_every_partner_with_names(gql, engine, role):
    await build_world(engine)
    body = await gql(LIST, role=role)
    assert body["data"]["salesPartners"]["nodes"] == [
        {"id": ref, "name": NAMES[ref]} for ref in (P, Q, R)
    ]
    body = await gql(ONE, {"id": Q}, role=role)
    assert body["data"]["salesPartner"] == {"id": Q, "name": NAMES[Q]}
    body = await gql(EVERYTHING, {"filter": MONTH}, role=role)
    outflow = body["data"]["salesPartners"]["nodes"][0]["dashboard"]["outflow"]["byPartner"]
    assert outflow == [
        {"partner": {"id": Q, "name": NAMES[Q]}, "count": 2},
        {"partner": {"id": R, "name": NAMES[R]}, "count": 1},
    ]


async def test_sales_partner_sees_only_itself(gql, engine):
    await build_world(engine)
    body = await gql(LIST, role="sales_partner", partner=P)
    assert body["data"] == {"salesPartners": {"nodes": [{"id": P, "name": NAMES[P]}]}}
    body = await gql(ONE, {"id": P}, role="sales_partner", partner=P)
    assert body["data"] == {"salesPartner": {"id": P, "name": NAMES[P]}}


async def test_another_partner_answers_exactly_like_a_missing_one(gql, engine):
    await build_world(engine)
    other = await gql(ONE, {"id": Q}, role="sales_partner", partner=P)
    missing = await gql(ONE, {"id": "zz-none"}, role="sales_partner", partner=P)
    assert other["_status"] == missing["_status"] == 200
    assert other["data"] == missing["data"] == {"salesPartner": None}
    assert other["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    assert json.dumps(other).replace(Q, "ID") == json.dumps(missing).replace("zz-none", "ID")
    assert NAMES[Q] not in json.dumps(other)


@pytest.mark.parametrize("filter_", [MONTH, {**MONTH, "marketplaceId": "mp-1"}])
async def test_sales_partner_gets_counts_but_never_a_competitor(client, token, engine, filter_):
    await build_world(engine)
    jwt = token("sales_partner", partner=P)
    response = await client.post(
        "/graphql",
        json={"query": EVERYTHING, "variables": {"filter": filter_}},
        headers={"Authorization": f"Bearer {jwt}"},
    )
    raw = response.text
    for secret in competitors():
        assert secret not in raw, f"{secret!r} leaked to the sales partner"
    body = response.json()
    assert "errors" not in body
    (own,) = body["data"]["salesPartners"]["nodes"]
    assert own["id"] == P
    outflow = own["dashboard"]["outflow"]
    counts = [2, 1] if "marketplaceId" not in filter_ else [1, 1]
    assert outflow["byPartner"] == [
        {"partner": {"id": f"competitor-{rank}", "name": f"Competitor {rank}"}, "count": count}
        for rank, count in enumerate(counts, start=1)
    ]
    assert outflow["total"]["value"] == sum(counts)


async def test_sales_partner_of_an_unknown_ref_sees_no_partner(gql, engine):
    await build_world(engine)
    body = await gql(LIST, role="sales_partner", partner="ghost")
    assert body["data"] == {"salesPartners": {"nodes": []}}


@pytest.mark.parametrize(
    ("role", "claims"),
    [("workshop", {"workshops": ["w-north"]}), ("integration", {})],
)
async def test_fields_are_absent_for_workshop_and_integration(gql, engine, role, claims):
    await build_world(engine)
    for query in (LIST, '{ salesPartner(id: "p-north") { id name } }'):
        body = await gql(query, role=role, **claims)
        (error,) = body["errors"]
        assert error["message"].startswith("Cannot query field 'salesPartner")
        assert body.get("data") is None
    types = await gql('{ __type(name: "SalesPartner") { name } }', role=role, **claims)
    assert types["data"] == {"__type": None}


async def test_another_importers_partner_is_not_found(gql, engine):
    await build_world(engine)
    async with engine.begin() as conn:
        other = await insert_importer(conn, ref="other")
        await conn.execute(
            text(
                "INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since)"
                " VALUES (:i, 'o-1', 'Other Partner', '2020-01-01')"
            ),
            {"i": other},
        )
    body = await gql(ONE, {"id": "o-1"}, role="partner_manager")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql(ONE, {"id": P}, role="partner_manager", importer="other")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql(LIST, role="importer", importer="other")
    assert body["data"] == {"salesPartners": {"nodes": [{"id": "o-1", "name": "Other Partner"}]}}
