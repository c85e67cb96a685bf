"""Hostile rows through every ingest door (POST /ingest/{kind}, ingest<Kind>
mutations, the CLI): each gets a row error naming line and column, never
INTERNAL, and nothing of the file is written."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from server.cli import app as cli_app
from server.config import get_settings
from tests.oracle.fixtures import insert_importer, insert_workshop

CAMPAIGN_HEADER = "campaign_ref,workshop_ref,sent_at,recipients"
GOOD = "c0,w1,2026-11-02T10:00:00+01:00,40"
CAMPAIGNS = """mutation($rows: [CampaignRowInput!]!) {
  ingestCampaigns(rows: $rows) { kind accepted errors { row column reason } } }"""


async def _tenants(engine: Any) -> None:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        other = await insert_importer(c, ref="other")
        await insert_workshop(c, imp, ref="w1")
        await insert_workshop(c, other, ref="w9")


async def _count(engine: Any, table: str) -> int:
    async with engine.connect() as c:
        return int((await c.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def _located(errors: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(file line, column) of each row error of ``POST /ingest``."""
    return [(e["extensions"]["line"], e["extensions"]["column"]) for e in errors]


async def _post(client: Any, token: Any, kind: str, body: str) -> Any:
    headers = {"Authorization": f"Bearer {token('integration')}", "Content-Type": "text/csv"}
    return await client.post(f"/ingest/{kind}", content=body.encode(), headers=headers)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("c1,,2026-11-02T10:00:00+01:00,40", "workshopRef"),  # empty required ref
        ("c1,w1,2026-11-02T10:00:00+01:00,", "recipients"),  # empty required value
        ("c\x001,w1,2026-11-02T10:00:00+01:00,40", "campaignRef"),  # NUL in a text cell
        ("c1,w\x001,2026-11-02T10:00:00+01:00,40", "workshopRef"),  # NUL in a ref
        ("c1,w1,9999-12-31T23:59:59+00:00,40", "sentAt"),  # far future
        ("c1,w1,0001-01-01T00:00:00+00:00,40", "sentAt"),  # year 1
        ("c1,w1,1999-12-31T12:00:00+00:00,40", "sentAt"),  # before the window
        ("c1,w1,2026-11-26T12:00:00+00:00,40", "sentAt"),  # after today + 1 (2026-11-24)
    ],
    ids=["empty-ref", "empty-count", "nul-text", "nul-ref", "9999", "0001", "1999", "tomorrow+1"],
)
async def test_post_csv_refuses_a_bad_row(client, token, engine, row, column):
    await _tenants(engine)
    response = await _post(client, token, "campaigns", f"{CAMPAIGN_HEADER}\n{GOOD}\n{row}\n")
    assert response.status_code == 422, response.text
    assert _located(response.json()["errors"]) == [(3, column)]
    assert await _count(engine, "campaigns") == 0


async def test_dates_outside_the_window_are_row_errors(client, token, engine):
    await _tenants(engine)
    body = "app_user_ref,workshop_ref,day\nu1,w1,2026-11-02\nu1,w1,1999-12-31\nu2,w1,9999-12-31\n"
    response = await _post(client, token, "app_activity", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert _located(errors) == [(3, "day"), (4, "day")]
    assert "2000-01-01" in errors[0]["message"]
    assert await _count(engine, "app_activity") == 0


async def test_the_window_is_configurable(client, token, engine, settings):
    await _tenants(engine)
    settings.facts_earliest = settings.facts_earliest.replace(year=1990)
    response = await _post(
        client, token, "campaigns", f"{CAMPAIGN_HEADER}\nc1,w1,1995-06-01T10:00:00+00:00,4\n"
    )
    assert response.status_code == 200, response.text


async def test_unterminated_quote_at_end_of_file(client, token, engine):
    await _tenants(engine)
    response = await _post(client, token, "campaigns", f'{CAMPAIGN_HEADER}\n{GOOD}\n"c1,w1,2026')
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["line"] == 3 and "never closed" in error["message"]
    assert await _count(engine, "campaigns") == 0


async def test_negative_model_year(client, token, engine):
    await _tenants(engine)
    body = "vin,importer_ref,make,model,model_year\nV1,imp,VW,Up,2020\nV2,imp,VW,Up,-2020\n"
    response = await _post(client, token, "vehicles", body)
    assert response.status_code == 422
    assert _located(response.json()["errors"]) == [(3, "modelYear")]
    assert await _count(engine, "vehicles") == 0


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"workshopRef": ""}, "workshopRef"),
        ({"sentAt": "9999-12-31T23:59:59+00:00"}, "sentAt"),
    ],
    ids=["empty-ref", "9999"],
)
async def test_ingest_mutation_refuses_a_bad_row(gql, engine, change, column):
    await _tenants(engine)
    good = {
        "campaignRef": "c1",
        "workshopRef": "w1",
        "sentAt": "2026-11-02T10:00:00+01:00",
        "recipients": 40,
    }
    body = await gql(CAMPAIGNS, {"rows": [good, {**good, **change}]}, role="integration")
    assert "errors" not in body, body
    result = body["data"]["ingestCampaigns"]
    assert result["accepted"] == 0
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(1, column)]
    assert await _count(engine, "campaigns") == 0


async def test_ingest_mutation_refuses_a_nul_as_bad_user_input(gql, engine):
    await _tenants(engine)
    row = {"campaignRef": "c\x001", "workshopRef": "w1", "sentAt": "2026-11-02T10:00:00Z"}
    body = await gql(CAMPAIGNS, {"rows": [{**row, "recipients": 4}]}, role="integration")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert "NUL" in body["errors"][0]["message"]
    assert await _count(engine, "campaigns") == 0


async def test_cli_refuses_an_empty_ref_and_a_nul(engine, database_url, tmp_path, monkeypatch):
    await _tenants(engine)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSIGHTS_TODAY", "2026-11-24")
    path = tmp_path / "campaigns.csv"
    path.write_text(f"{CAMPAIGN_HEADER}\n{GOOD}\nc1,,2026-11-02T10:00:00+01:00,4\nc\x002,w1,,4\n")
    result = await asyncio.to_thread(cli, "ingest", "campaigns", str(path))
    assert result.exit_code == 1, result.output
    assert "line 3 column workshop_ref" in result.output
    assert "line 4 column campaign_ref" in result.output
    assert await _count(engine, "campaigns") == 0


def cli(*args: str) -> Result:
    """Run `insights ARGS` in-process with fresh settings (the CLI reads them once)."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli_app, list(args))
    finally:
        get_settings.cache_clear()
