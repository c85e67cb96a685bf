"""Hostile GraphQL arguments: a NUL character in an id or a search string, and
periods starting before any data can exist, are BAD_USER_INPUT, never INTERNAL."""

from __future__ import annotations

import pytest

from tests.oracle.fixtures import insert_importer, insert_workshop

NUL_QUERIES = {
    "workshop id": ("query($v: ID!) { workshop(id: $v) { id } }", {}),
    "workshop ids": (
        "query($v: ID!) { activationsDashboard(workshopIds: [$v], "
        "period: {preset: LAST_7_DAYS}) { newActivations { value } } }",
        {},
    ),
    "search": ("query($v: String) { workshops(search: $v) { totalCount } }", {}),
    "partner id": ("query($v: ID!) { salesPartner(id: $v) { id } }", {}),
}


async def _world(engine) -> None:
    async with engine.begin() as c:
        await insert_workshop(c, await insert_importer(c, ref="imp"), ref="w1")


def _codes(body) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.parametrize("name", sorted(NUL_QUERIES))
@pytest.mark.parametrize("inline", [False, True], ids=["variable", "literal"])
async def test_a_nul_character_in_an_argument_is_bad_user_input(gql, engine, name, inline):
    await _world(engine)
    query, _ = NUL_QUERIES[name]
    variables: dict[str, object] = {"v": "w\x001"}
    if inline:  # the same value written as a GraphQL string escape in the document
        query = query.replace("$v", '"w\\u00001"').split(") {", 1)[1]
        query = "query {" + query
        variables = {}
    body = await gql(query, variables)
    assert _codes(body) == ["BAD_USER_INPUT"], body
    assert "NUL" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("start", "end"),
    [("0001-01-01", "0001-01-10"), ("0001-01-01", "2026-11-01"), ("1899-12-31", "1900-01-10")],
)
async def test_a_period_before_any_data_is_bad_user_input(gql, engine, start, end):
    await _world(engine)
    period = f'{{preset: CUSTOM, from: "{start}", to: "{end}"}}'
    for query in (
        f"{{ activationsDashboard(period: {period}) {{ newActivations {{ value }} }} }}",
        f'{{ workshop(id: "w1") {{ dashboard(period: {period}) '
        "{ connectionRate { rate } } } }",
    ):
        body = await gql(query)
        assert _codes(body) == ["BAD_USER_INPUT"], body


@pytest.mark.parametrize("query", ["", "?preset=CUSTOM&from=0001-01-01&to=0001-01-09"])
async def test_the_pdf_route_refuses_a_nul_id_and_an_ancient_period(client, token, engine, query):
    await _world(engine)
    path = "/reports/partners/P%001.pdf" if not query else "/reports/partners/P1.pdf" + query
    response = await client.get(path, headers={"Authorization": f"Bearer {token('importer')}"})
    assert response.status_code in (400, 404), response.text
    assert response.json()["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "NOT_FOUND")
