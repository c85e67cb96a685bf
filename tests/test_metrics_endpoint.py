"""GET /metrics: requests by operation and code, latency, SQL statements per
request, pool in use, ingest rows, processing runs and data age, and its token."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.oracle.fixtures import insert_importer, insert_workshop

CSV = (
    "campaign_ref,workshop_ref,sent_at,recipients\n"
    "c1,w1,2026-11-02T10:00:00+01:00,40\n"
    "c2,w1,2026-11-02T10:00:00+01:00,41\n"
)
BAD_CSV = (
    "campaign_ref,workshop_ref,sent_at,recipients\n"
    "c3,w1,2026-11-02T10:00:00,x\n"  # two errors, one row
    "c4,nope,2026-11-02T10:00:00+01:00,1\n"
)


@pytest.fixture
async def http(settings, database_url):
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def _scrape(http, **headers) -> dict[tuple[str, tuple], float]:
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _get(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_latency_statements_and_ingest_rows(http, engine, token):
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp")
        await insert_workshop(conn, imp, ref="w1")
    before = await _scrape(http)
    importer = {"Authorization": f"Bearer {token('importer')}"}
    for _ in range(2):
        ok = await http.post(
            "/graphql", json={"query": "query Shops { workshops { totalCount } }"}, headers=importer
        )
        assert "errors" not in ok.json()
    await http.post("/graphql", json={"query": "query Oops { nope }"}, headers=importer)
    integration = {"Authorization": f"Bearer {token('integration')}", "Content-Type": "text/csv"}
    assert (await http.post("/ingest/campaigns", content=CSV, headers=integration)).json()[
        "accepted"
    ] == 2
    assert (
        await http.post("/ingest/campaigns", content=BAD_CSV, headers=integration)
    ).status_code == 422
    after = await _scrape(http)

    def delta(name, **labels):
        return _get(after, name, **labels) - _get(before, name, **labels)

    graphql = {"route": "/graphql"}
    assert delta("insights_requests_total", **graphql, operation="Shops", code="OK") == 2
    assert (
        delta(
            "insights_requests_total", **graphql, operation="Oops", code="GRAPHQL_VALIDATION_FAILED"
        )
        == 1
    )
    assert delta("insights_request_duration_seconds_count", **graphql, operation="Shops") == 2
    assert delta("insights_request_sql_statements_count", **graphql) == 3
    assert delta("insights_request_sql_statements_sum", **graphql) >= 2  # Oops sends none
    assert delta("insights_ingest_rows_total", kind="campaigns", outcome="accepted") == 2
    assert delta("insights_ingest_rows_total", kind="campaigns", outcome="rejected") == 2
    assert ("insights_db_pool_connections_in_use", ()) in after
    assert _get(after, "insights_database_up") == 1


async def test_processing_runs_and_newest_day_age_per_importer(http, engine):
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp")
        await insert_workshop(conn, imp, ref="w1")
    await run_processing(engine, today=TODAY)
    samples = await _scrape(http)
    assert _get(samples, "insights_processing_runs_total", importer="imp") == 1
    # Processed through as-of (yesterday): one day old on the pinned today.
    assert _get(samples, "insights_processing_newest_day_age_days", importer="imp") == 1
    assert _get(samples, "insights_processing_last_run_timestamp_seconds", importer="imp") > 0


async def test_metrics_token_when_configured(settings, database_url):
    guarded = settings.model_copy(update={"metrics_token": "scrape-me"})
    app = create_app(guarded, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            refused = await client.get("/metrics")
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
            allowed = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert allowed.status_code == 200 and "insights_requests_total" in allowed.text
