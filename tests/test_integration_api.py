"""The integration role's two doors: ingest mutations and POST /ingest/{kind},
with the same validation and one-transaction rule as the CSV command."""

import pytest
from sqlalchemy import text

from tests.oracle.fixtures import insert_importer, insert_workshop

CAMPAIGNS = """mutation($rows: [CampaignRowInput!]!) {
  ingestCampaigns(rows: $rows) { kind accepted errors { row column reason } } }"""
CAMPAIGNS_LITERAL = """mutation { ingestCampaigns(rows: [{ campaignRef: "c3", workshopRef: "w1",
  sentAt: "SENT_AT", recipients: 1 }]) { accepted } }"""


async def _tenants(engine):
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        other = await insert_importer(c, ref="other")
        await insert_workshop(c, imp, ref="w1")
        await insert_workshop(c, other, ref="w9")


async def _campaigns(engine) -> list[tuple]:
    async with engine.connect() as c:
        return (
            await c.execute(text("SELECT campaign_ref, recipients FROM campaigns ORDER BY 1"))
        ).all()


async def test_ingest_mutation_writes_all_or_nothing(gql, engine):
    await _tenants(engine)
    good = {
        "campaignRef": "c1",
        "workshopRef": "w1",
        "sentAt": "2026-11-02T10:00:00+01:00",
        "recipients": 40,
    }
    body = await gql(CAMPAIGNS, {"rows": [good]}, role="integration")
    assert body["data"]["ingestCampaigns"] == {"kind": "campaigns", "accepted": 1, "errors": []}
    bad = [
        {**good, "campaignRef": "c2", "recipients": 5},
        {**good, "campaignRef": "c4", "workshopRef": "w9"},  # another importer's workshop
    ]
    body = await gql(CAMPAIGNS, {"rows": bad}, role="integration")
    result = body["data"]["ingestCampaigns"]
    assert result["accepted"] == 0
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(1, "workshopRef")]
    assert await _campaigns(engine) == [("c1", 40)]  # nothing of the failed call was written


@pytest.mark.parametrize("sent_at", ["2026-11-02T10:00:00", "2 Nov 2026", "2026-11-02"])
async def test_a_timestamp_without_offset_is_rejected_by_the_datetime_scalar(gql, engine, sent_at):
    await _tenants(engine)
    row = {"campaignRef": "c3", "workshopRef": "w1", "sentAt": sent_at, "recipients": 1}
    body = await gql(CAMPAIGNS, {"rows": [row]}, role="integration")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "[0].sentAt" in error["message"] and "offset" in error["message"]
    literal = CAMPAIGNS_LITERAL.replace("SENT_AT", sent_at)
    body = await gql(literal, role="integration")
    (error,) = body["errors"]
    assert (
        error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    )  # a literal is checked by validation
    assert "offset" in error["message"]
    assert await _campaigns(engine) == []


async def test_ingest_mutations_exist_only_for_integrations(gql, engine):
    await _tenants(engine)
    body = await gql(CAMPAIGNS, {"rows": []}, role="importer")
    messages = {e["message"] for e in body["errors"]}
    assert "Unknown type 'CampaignRowInput'." in messages
    assert "Cannot query field 'ingestCampaigns' on type 'Mutation'." in messages


async def test_post_csv(client, token, engine):
    await _tenants(engine)
    csv = "campaign_ref,workshop_ref,sent_at,recipients\nc1,w1,2026-11-02T10:00:00+01:00,40\n"
    auth = {"Authorization": f"Bearer {token('integration')}", "Content-Type": "text/csv"}
    response = await client.post("/ingest/campaigns", content=csv, headers=auth)
    assert response.status_code == 200
    assert response.json() == {"kind": "campaigns", "accepted": 1, "errors": []}
    bad = csv + "c2,w1,2026-11-02,x\n"
    response = await client.post("/ingest/campaigns", content=bad, headers=auth)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {(e["extensions"]["row"], e["extensions"]["column"]) for e in errors} == {
        (1, "sentAt"),
        (1, "recipients"),
    }
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert await _campaigns(engine) == [("c1", 40)]
    response = await client.post(
        "/ingest/campaigns",
        content=csv,
        headers={**auth, "Authorization": f"Bearer {token('importer')}"},
    )
    assert (
        response.status_code == 403
        and response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    )
    response = await client.post(
        "/ingest/campaigns", content=csv, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 401
    response = await client.post("/ingest/nonsense", content=csv, headers=auth)
    assert response.status_code == 400 and "campaigns" in response.json()["errors"][0]["message"]
