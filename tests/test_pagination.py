"""Cursor connections per the Relay spec: workshops and salesPartners page
forward (first/after) and backward (last/before), PageInfo says on both sides
whether more lie beyond the page, and bad page arguments are clear errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.oracle.fixtures import insert_importer

REFS = ["a1", "a2", "a3", "a4", "a5"]
CONNECTIONS = {
    "workshops": "workshops",
    "salesPartners": "sales_partners",
}


async def _world(engine) -> None:
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp")
        for ref in REFS:
            await conn.execute(
                text("INSERT INTO workshops (importer_id, workshop_ref, name) VALUES (:i, :r, :n)"),
                {"i": imp, "r": ref, "n": f"Workshop {ref}"},
            )
            await conn.execute(
                text(
                    "INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since)"
                    " VALUES (:i, :r, :n, DATE '2020-01-01')"
                ),
                {"i": imp, "r": ref, "n": f"Partner {ref}"},
            )


def _query(field: str) -> str:
    return (
        f"query($first: Int, $after: String, $last: Int, $before: String) {{"
        f" {field}(first: $first, after: $after, last: $last, before: $before) {{"
        " totalCount edges { cursor node { id } }"
        " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
    )


async def _page(gql, field: str, **args):
    body = await gql(_query(field), args)
    assert "errors" not in body, body["errors"]
    page = body["data"][field]
    ids = [e["node"]["id"] for e in page["edges"]]
    return ids, page["pageInfo"], page["edges"], page["totalCount"]


@pytest.mark.parametrize("field", sorted(CONNECTIONS))
async def test_pages_forward_and_backward(gql, engine, field):
    await _world(engine)
    ids, info, edges, total = await _page(gql, field, first=2)
    assert (ids, total) == (["a1", "a2"], 5)
    assert info["hasNextPage"] and not info["hasPreviousPage"]
    assert (info["startCursor"], info["endCursor"]) == (edges[0]["cursor"], edges[-1]["cursor"])

    ids, info, edges, _ = await _page(gql, field, first=2, after=info["endCursor"])
    assert ids == ["a3", "a4"]
    assert info["hasNextPage"] and info["hasPreviousPage"]

    ids, info, edges, _ = await _page(gql, field, last=2)
    assert ids == ["a4", "a5"]
    assert info["hasPreviousPage"] and not info["hasNextPage"]

    ids, info, _, _ = await _page(gql, field, last=2, before=info["startCursor"])
    assert ids == ["a2", "a3"]
    assert info["hasPreviousPage"] and info["hasNextPage"]

    ids, info, _, _ = await _page(gql, field, last=10, before=edges[0]["cursor"])
    assert ids == ["a1", "a2", "a3"]
    assert not info["hasPreviousPage"] and info["hasNextPage"]

    ids, info, _, _ = await _page(gql, field)  # no size: the first 50
    assert ids == REFS
    assert not info["hasPreviousPage"] and not info["hasNextPage"]

    ids, info, _, _ = await _page(gql, field, first=0)
    assert ids == [] and info["startCursor"] is None and info["hasNextPage"]


@pytest.mark.parametrize("field", sorted(CONNECTIONS))
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"first": 1, "last": 1}, "not both"),
        ({"first": 501}, "between 0 and 500"),
        ({"last": -1}, "between 0 and 500"),
        ({"after": "bm90LWEtY3Vyc29y"}, "is not a cursor from this connection"),
        ({"before": "x"}, "is not a cursor from this connection"),
    ],
)
async def test_bad_page_arguments_are_clear_errors(gql, engine, field, args, message):
    await _world(engine)
    body = await gql(_query(field), args)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_a_cursor_of_one_connection_is_rejected_by_the_other(gql, engine):
    await _world(engine)
    _, info, _, _ = await _page(gql, "workshops", first=1)
    body = await gql(_query("salesPartners"), {"after": info["endCursor"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_sales_partners_search_and_sales_partner_scope(gql, engine):
    await _world(engine)
    body = await gql('{ salesPartners(search: "A3") { totalCount nodes { id } } }')
    assert body["data"]["salesPartners"] == {"totalCount": 1, "nodes": [{"id": "a3"}]}
    body = await gql(
        "{ salesPartners(last: 5) { totalCount nodes { id } pageInfo { hasPreviousPage } } }",
        role="sales_partner",
        partner="a2",
    )
    assert body["data"]["salesPartners"] == {
        "totalCount": 1,
        "nodes": [{"id": "a2"}],
        "pageInfo": {"hasPreviousPage": False},
    }
