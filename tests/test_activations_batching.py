"""One request costs a constant number of SQL statements, whatever it lists:
300 workshop dashboards cost exactly what 3 do."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from server.app import create_app
from server.processing.job import run_processing
from tests.conftest import TODAY
from tests.statements import counting

QUERY = """
query($n: Int!) {
  workshops(first: $n) {
    nodes {
      id
      dashboard(period: {preset: LAST_30_DAYS}) {
        newActivations { value trend { change } series { value } }
        leadsCreated { value }
        activeStaff { value }
        appUsers { value previousSeries(granularity: WEEK) { value } }
        connectionRate { rate goal dataAgeDays series { rate } }
        workshopActivity { activeDays }
        marketingCampaignsSent { value recipients }
      }
      a: dashboard(period: {preset: LAST_30_DAYS}) { chatMessages { value } }
    }
  }
}"""


async def _seed(engine, workshops: int) -> None:
    async with engine.begin() as c:
        imp = (
            await c.execute(
                text(
                    "INSERT INTO importers (importer_ref, name, timezone, lead_due_days, lead_rating_enabled, customer_rating_enabled) VALUES ('imp', 'I', 'Europe/Copenhagen', 30, false, false) RETURNING id"
                )
            )
        ).scalar_one()
        await c.execute(
            text(
                "INSERT INTO workshops (importer_id, workshop_ref, name) SELECT :i, 'w' || lpad(n::text, 4, '0'), 'W ' || n FROM generate_series(1, :n) n"
            ),
            {"i": imp, "n": workshops},
        )
        await c.execute(
            text(
                "INSERT INTO vehicles (importer_id, vin, make, model, model_year) SELECT :i, 'VIN' || n, 'Brand', 'X', 2020 FROM generate_series(1, :n) n"
            ),
            {"i": imp, "n": workshops},
        )
        day = datetime.combine(TODAY - timedelta(days=5), datetime.min.time(), tzinfo=UTC)
        await c.execute(
            text(
                "INSERT INTO visits (importer_id, visit_ref, workshop_id, vehicle_id, arrived_at, departed_at) SELECT :i, 'v' || w.id, w.id, w.id, CAST(:d AS timestamptz), CAST(:d AS timestamptz) + interval '2 hours' FROM workshops w"
            ),
            {"i": imp, "d": day},
        )
        await c.execute(
            text(
                "INSERT INTO activations (importer_id, vehicle_id, workshop_id, invited_at, activated_at) SELECT :i, w.id, w.id, CAST(:d AS timestamptz), CAST(:d AS timestamptz) + interval '1 day' FROM workshops w"
            ),
            {"i": imp, "d": day},
        )
        await c.execute(
            text("INSERT INTO staff_users (importer_id, user_ref) VALUES (:i, 'u1')"), {"i": imp}
        )
        await c.execute(
            text(
                "INSERT INTO staff_activity (staff_user_id, workshop_id, day, importer_id, actions) SELECT (SELECT id FROM staff_users), w.id, :d, :i, 3 FROM workshops w"
            ),
            {"i": imp, "d": date.fromordinal(day.toordinal())},
        )
    await run_processing(engine, today=TODAY)


async def _count(settings, database_url, token, n: int) -> tuple[list[str], dict]:
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer {token('importer')}"}
            # loaded at start, off the count (and the listener's catching up too)
            await app.state.insights.day_copy.following.wait()
            await app.state.insights.distinct_cache.settled()
            await app.state.insights.day_copy.settled()
            with counting(app.state.insights.engine) as statements:
                response = await http.post(
                    "/graphql", json={"query": QUERY, "variables": {"n": n}}, headers=headers
                )
    body = response.json()
    assert "errors" not in body, body
    return [" ".join(s.split())[:90] for s in statements], body


@pytest.mark.parametrize(("day_copy", "most"), [(False, 8), (True, 4)])
async def test_3_and_300_workshops_cost_the_same_statements(
    engine, settings, database_url, token, day_copy, most
):
    total = 300
    await _seed(engine, total)
    settings = settings.model_copy(update={"day_copy": day_copy})
    few, small = await _count(settings, database_url, token, 3)
    many, large = await _count(settings, database_url, token, total)
    assert len(small["data"]["workshops"]["nodes"]) == 3
    assert len(large["data"]["workshops"]["nodes"]) == total
    node = large["data"]["workshops"]["nodes"][-1]["dashboard"]
    assert node["newActivations"]["value"] == 1 and node["connectionRate"]["rate"] == 1.0
    assert node["activeStaff"]["value"] == 1 and node["workshopActivity"] == [{"activeDays": 1}]
    assert len(few) == len(many), "\n".join(["3:", *few, f"{total}:", *many])
    # SQL: importer, page, day rows, data version, data age, activity, and the
    # aliased day rows (user ids: loaded at start-up, not by a request). With the
    # day-rollup copy warm, day rows and activity come from it after the look at
    # the data version the user ids need anyway: importer, page, version, data age.
    assert len(few) <= most, f"{len(few)} statements for one request"


def _aliased(n: int) -> str:
    fields = " ".join(
        f'w{i}: workshop(id: "w{i:04d}") {{ dashboard(period: {{preset: LAST_7_DAYS}}) {{ newActivations {{ value }} }} }}'
        f' p{i}: salesPartner(id: "p{i:04d}") {{ name dashboard(filter: {{period: {{preset: CURRENT_MONTH}}}}) {{ leadPick {{ offersReceived {{ value }} }} }} }}'
        for i in range(1, n + 1)
    )
    return "{ " + fields + " }"


async def test_aliased_lookups_by_id_are_batched_too(engine, settings, database_url, token):
    await _seed(engine, 40)
    async with engine.begin() as c:
        await c.execute(
            text(
                "INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since) SELECT 1, 'p' || lpad(n::text, 4, '0'), 'P ' || n, '2024-01-01' FROM generate_series(1, 40) n"
            )
        )
    counts = []
    for n in (2, 25):  # 50 aliases: the limit
        app = create_app(settings, database_url=database_url, migrate=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            with counting(app.state.insights.engine) as statements:
                body = (
                    await http.post(
                        "/graphql",
                        json={"query": _aliased(n)},
                        headers={"Authorization": f"Bearer {token('importer')}"},
                    )
                ).json()
        await app.state.insights.engine.dispose()
        assert "errors" not in body, body
        assert body["data"][f"w{n}"]["dashboard"]["newActivations"]["value"] == 1
        assert body["data"][f"p{n}"]["name"] == f"P {n}"
        counts.append(len(statements))
    assert counts[0] == counts[1]
