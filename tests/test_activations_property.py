"""Property: on generated data, the rollup-backed dashboard equals the raw-SQL
oracle (tests/oracle, written from METRICS.md alone) for random workshop sets and
periods — both the period's values and the previous period's (the trend)."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from server.app import create_app
from server.db import make_engine
from server.metrics.periods import Period, previous_period
from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.generated import generate
from tests.oracle import activations_oracle

AS_OF = TODAY - timedelta(days=1)
QUERY = """query($ids: [ID!], $p: PeriodInput!) { activationsDashboard(workshopIds: $ids, period: $p) {
  newActivations { value trend { previous } } leadsCreated { value trend { previous } }
  chatConversations { value } chatMessages { value } chatFirstResponseTime { value trend { previous } }
  activeStaff { value trend { previous } } appUsers { value trend { previous } }
  marketingCampaignsSent { value recipients }
  connectionRate { rate throughput eligible connected newestDataDate trend { previous } }
  workshopActivity { workshop { id } activeDays actions lastActiveDay } } }"""


def _expected_vs_actual(oracle, previous, d, ids_by_ref):
    pairs = [
        (oracle["newActivations"], d["newActivations"]["value"]),
        (previous["newActivations"], d["newActivations"]["trend"]["previous"]),
        (oracle["leadsCreated"], d["leadsCreated"]["value"]),
        (previous["leadsCreated"], d["leadsCreated"]["trend"]["previous"]),
        (oracle["chatConversations"], d["chatConversations"]["value"]),
        (oracle["chatMessages"], d["chatMessages"]["value"]),
        (oracle["activeStaff"], d["activeStaff"]["value"]),
        (previous["activeStaff"], d["activeStaff"]["trend"]["previous"]),
        (oracle["appUsers"], d["appUsers"]["value"]),
        (previous["appUsers"], d["appUsers"]["trend"]["previous"]),
        (oracle["marketingCampaignsSent"], d["marketingCampaignsSent"]["value"]),
        (oracle["campaignRecipients"], d["marketingCampaignsSent"]["recipients"]),
        (oracle["throughput"], d["connectionRate"]["throughput"]),
        (oracle["eligible"], d["connectionRate"]["eligible"]),
        (oracle["connected"], d["connectionRate"]["connected"]),
        (oracle["connectionRate"], d["connectionRate"]["rate"]),
        (previous["connectionRate"], d["connectionRate"]["trend"]["previous"]),
        (oracle["chatFirstResponseTime"], d["chatFirstResponseTime"]["value"]),
        (previous["chatFirstResponseTime"], d["chatFirstResponseTime"]["trend"]["previous"]),
        (
            str(oracle["newestDataDate"]) if oracle["newestDataDate"] else None,
            d["connectionRate"]["newestDataDate"],
        ),
    ]
    activity = {
        ids_by_ref[a["workshop"]["id"]]: (a["activeDays"], a["actions"], a["lastActiveDay"])
        for a in d["workshopActivity"]
    }
    expected_activity = {
        w: (n, actions, str(last) if last else None)
        for w, (n, actions, last) in oracle["workshopActivity"].items()
    }
    pairs.append((expected_activity, activity))
    return pairs


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_dashboard_equals_raw_sql_oracle(database_url, settings, token):
    with asyncio.Runner() as runner:
        engine = make_engine(database_url, pool_size=4)

        async def setup():
            async with engine.begin() as conn:
                data = await generate(conn, seed=11, last_day=AS_OF)
            await run_processing(engine, today=TODAY)
            return data

        data = runner.run(setup())
        refs = sorted(data.workshops)
        ids_by_ref = data.workshops
        # the answers come from the in-process day-rollup copy
        # (tests/test_day_copy.py holds the SQL path to the same answers)
        app = create_app(settings, database_url=database_url, migrate=False)
        copies = app.state.insights.day_copy
        runner.run(copies.warm(app.state.insights.engine))  # what the lifespan starts
        runner.run(copies.settled())
        assert copies.state == "warm" and copies.nbytes > 0
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        auth = {"Authorization": f"Bearer {token('importer')}"}

        async def check(chosen, start_offset, length):
            start = data.first_day + timedelta(days=start_offset)
            end = min(start + timedelta(days=length - 1), AS_OF)
            period = Period(start, end)
            before = previous_period(period, None)
            body = (
                await http.post(
                    "/graphql",
                    headers=auth,
                    json={
                        "query": QUERY,
                        "variables": {"ids": chosen, "p": {"from": str(start), "to": str(end)}},
                    },
                )
            ).json()
            assert "errors" not in body, body
            ws = [ids_by_ref[r] for r in chosen]
            async with engine.connect() as conn:
                now = await activations_oracle(
                    conn,
                    importer_id=data.importer_id,
                    workshop_ids=ws,
                    start=start,
                    end=end,
                    today=TODAY,
                )
                prev = await activations_oracle(
                    conn,
                    importer_id=data.importer_id,
                    workshop_ids=ws,
                    start=before.start,
                    end=before.end,
                    today=TODAY,
                )
            for expected, actual in _expected_vs_actual(
                now, prev, body["data"]["activationsDashboard"], ids_by_ref
            ):
                if isinstance(expected, float):
                    assert actual == pytest.approx(expected, rel=1e-9), (chosen, start, end)
                else:
                    assert actual == expected, (chosen, start, end)

        @hsettings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            chosen=st.lists(st.sampled_from(refs), min_size=1, max_size=5, unique=True),
            start_offset=st.integers(0, 68),
            length=st.integers(1, 60),
        )
        def property_holds(chosen, start_offset, length):
            runner.run(check(sorted(chosen), start_offset, length))

        try:
            property_holds()
        finally:
            runner.run(http.aclose())
            runner.run(copies.close())
            runner.run(app.state.insights.engine.dispose())
            runner.run(engine.dispose())
