"""Kept filters: per user (JWT sub) and dashboard kind, validated on save, and a
kept filter that no longer parses is reported with its content, not dropped."""

import json

from sqlalchemy import text

from tests.oracle.fixtures import insert_importer, insert_marketplace, insert_workshop

SAVE = "mutation($d: DashboardKind!, $f: JSON!) { saveFilters(dashboard: $d, filters: $f) }"
LOAD = "query($d: DashboardKind!) { savedFilters(dashboard: $d) }"


async def _setup(engine) -> str:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        await insert_workshop(c, imp, ref="w1")
        market = await insert_marketplace(c, imp)
        return (
            await c.execute(
                text("SELECT marketplace_ref FROM marketplaces WHERE id = :m"), {"m": market}
            )
        ).scalar_one()


async def test_save_and_load_per_user_and_dashboard(gql, engine):
    market = await _setup(engine)
    partner_filters = {
        "period": {"preset": "CURRENT_QUARTER"},
        "source": "MARKETPLACE",
        "exclusivity": "ALL",
        "marketplaceId": market,
    }
    assert (await gql(LOAD, {"d": "PARTNER"}, sub="anna"))["data"] == {"savedFilters": None}
    saved = await gql(SAVE, {"d": "PARTNER", "f": partner_filters}, sub="anna")
    assert saved["data"] == {"saveFilters": partner_filters}
    assert (await gql(LOAD, {"d": "PARTNER"}, sub="anna"))["data"] == {
        "savedFilters": partner_filters
    }
    assert (await gql(LOAD, {"d": "PARTNER"}, sub="bob"))["data"] == {"savedFilters": None}
    assert (await gql(LOAD, {"d": "ACTIVATIONS"}, sub="anna"))["data"] == {"savedFilters": None}
    activations = {"workshopIds": ["w1"], "period": {"from": "2026-10-01", "to": "2026-10-31"}}
    await gql(
        SAVE, {"d": "ACTIVATIONS", "f": activations}, role="workshop", workshops=["w1"], sub="anna"
    )
    body = await gql(LOAD, {"d": "ACTIVATIONS"}, role="workshop", workshops=["w1"], sub="anna")
    assert body["data"] == {"savedFilters": activations}


async def test_bad_filters_are_refused_with_what_to_fix(gql, engine):
    await _setup(engine)
    cases = [
        ({"source": "EMAIL"}, "BAD_USER_INPUT", "source 'EMAIL' is unknown"),
        ({"period": {"from": "2026-11-10", "to": "2026-11-01"}}, "BAD_USER_INPUT", "2026-11-10"),
        ({"colour": "red"}, "BAD_USER_INPUT", "unknown keys ['colour']"),
        ({"marketplaceId": "nope"}, "NOT_FOUND", "marketplace 'nope'"),
    ]
    for filters, code, fragment in cases:
        body = await gql(SAVE, {"d": "PARTNER", "f": filters})
        assert body["errors"][0]["extensions"]["code"] == code, filters
        assert fragment in body["errors"][0]["message"], body
    body = await gql(
        SAVE, {"d": "ACTIVATIONS", "f": {"workshopIds": ["w1"]}}, role="workshop", workshops=["w2"]
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql(SAVE, {"d": "PARTNER", "f": {}}, role="workshop", workshops=["w1"])
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_kept_filter_that_no_longer_parses_is_reported(gql, engine):
    market = await _setup(engine)
    await gql(SAVE, {"d": "PARTNER", "f": {"marketplaceId": market}}, sub="anna")
    async with engine.begin() as c:  # the marketplace disappears afterwards
        await c.execute(
            text("UPDATE saved_filters SET filters = CAST(:f AS jsonb)"),
            {"f": json.dumps({"marketplaceId": "gone"})},
        )
    body = await gql(LOAD, {"d": "PARTNER"}, sub="anna")
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "no longer apply" in error["message"] and "gone" in error["message"]
    assert error["extensions"]["savedFilters"] == {"marketplaceId": "gone"}


TYPED_PARTNER = """mutation($f: SavedPartnerFiltersInput!) {
  saveFilters(dashboard: PARTNER, partner: $f) }"""
TYPED_ACTIVATIONS = """mutation($f: SavedActivationsFiltersInput!) {
  saveFilters(dashboard: ACTIVATIONS, activations: $f) }"""


async def test_typed_filters_are_kept_like_the_json_ones(gql, engine):
    market = await _setup(engine)
    typed = {
        "period": {"preset": "CURRENT_QUARTER"},
        "source": "MARKETPLACE",
        "exclusivity": "ALL",
        "marketplaceId": market,
    }
    saved = await gql(TYPED_PARTNER, {"f": typed}, sub="anna")
    assert saved["data"] == {"saveFilters": typed}
    assert (await gql(LOAD, {"d": "PARTNER"}, sub="anna"))["data"] == {"savedFilters": typed}
    activations = {"workshopIds": ["w1"], "period": {"from": "2026-10-01", "to": "2026-10-31"}}
    body = await gql(TYPED_ACTIVATIONS, {"f": activations}, sub="anna")
    assert body["data"] == {"saveFilters": activations}
    body = await gql(TYPED_ACTIVATIONS, {"f": {"workshopIds": None}}, sub="anna")
    assert body["data"] == {"saveFilters": {"workshopIds": None}}


async def test_typed_filters_are_checked_by_the_schema_and_the_rules(gql, engine):
    await _setup(engine)
    body = await gql(TYPED_PARTNER, {"f": {"source": "EMAIL"}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "EMAIL" in body["errors"][0]["message"]
    body = await gql(TYPED_PARTNER, {"f": {"marketplaceId": "nope"}})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql("mutation { saveFilters(dashboard: ACTIVATIONS, partner: { source: ALL }) }")
    assert "need dashboard PARTNER" in body["errors"][0]["message"]
    body = await gql(
        "mutation { saveFilters(dashboard: PARTNER, partner: { source: ALL }, filters: {}) }"
    )
    assert "exactly one" in body["errors"][0]["message"]
    body = await gql("mutation { saveFilters(dashboard: PARTNER) }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await gql(LOAD, {"d": "PARTNER"}))["data"] == {"savedFilters": None}
