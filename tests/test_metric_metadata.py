"""Metric metadata a client draws with: which way a metric is judged (overdue
leads are bad news; open leads and the start date are facts, judged neither way)
and count series typed as integers."""

from __future__ import annotations

from server.metrics.trends import trend


async def test_metric_catalog_says_how_each_metric_is_judged(gql):
    body = await gql("{ metricCatalog { key judgement higherIsBetter } }")
    by_key = {m["key"]: m for m in body["data"]["metricCatalog"]}
    assert by_key["overdueLeads"] == {
        "key": "overdueLeads",
        "judgement": "LOWER_IS_BETTER",
        "higherIsBetter": False,
    }
    for fact in ("openLeads", "totalLeadsReceived", "partnerSince"):
        assert by_key[fact]["judgement"] == "NEUTRAL"
    assert by_key["pickRate"]["judgement"] == "HIGHER_IS_BETTER"
    assert by_key["lost"]["judgement"] == "LOWER_IS_BETTER"


def test_a_fact_that_is_not_judged_is_never_favorable():
    assert trend(5, 3, higher_is_better=None).favorable is None
    assert trend(3, 5, higher_is_better=None).favorable is None


async def test_count_series_are_integers(gql):
    query = """{ __type(name: "CountMetric") { fields { name type { ofType { ofType { ofType {
        name fields { name type { kind ofType { name } } } } } } } } } }"""
    body = await gql(query)
    fields = {
        f["name"]: f["type"]["ofType"]["ofType"]["ofType"]
        for f in body["data"]["__type"]["fields"]
        if f["name"] in ("series", "previousSeries")
    }
    for point in fields.values():
        value = next(f for f in point["fields"] if f["name"] == "value")
        assert value["type"] == {"kind": "NON_NULL", "ofType": {"name": "Int"}}, point["name"]
