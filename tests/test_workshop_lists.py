"""The workshop lists kept between requests (server/resolvers/workshop_lists.py)
are never handed where they do not belong: to another importer, to another
principal's scope, or after a write changed the workshops (ingest, goals).

What a request sees of its list: ``activationsDashboard`` without
``workshopIds`` adds up every workshop in scope, and its connection-rate goal
is the one workshop's own goal when exactly one workshop is shown, else the
importer's."""

from server.resolvers.tenancy import WorkshopRow
from server.resolvers.workshop_lists import WorkshopLists
from tests.oracle.fixtures import insert_importer, insert_workshop
from tests.statements import counting

GOAL = "{ activationsDashboard(period: {preset: LAST_30_DAYS}) { connectionRate { goal } } }"


async def _tenants(engine):
    async with engine.begin() as conn:
        one = await insert_importer(conn, ref="imp", timezone="UTC", connection_rate_goal=0.5)
        await insert_workshop(conn, one, ref="w1", connection_rate_goal=0.3)
        await insert_workshop(conn, one, ref="w2", connection_rate_goal=0.2)
        two = await insert_importer(conn, ref="imp2", timezone="UTC", connection_rate_goal=0.5)
        await insert_workshop(conn, two, ref="w1", connection_rate_goal=0.7)


async def _goal(client, token, role="importer", **claims):
    answer = await client.post(
        "/graphql",
        json={"query": GOAL},
        headers={"Authorization": f"Bearer {token(role, **claims)}"},
    )
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]["activationsDashboard"]["connectionRate"]["goal"]


async def test_each_importer_and_scope_gets_its_own_list(client, token, engine):
    await _tenants(engine)
    for _ in range(2):  # the second round is answered from the kept lists
        assert await _goal(client, token) == 0.5  # two workshops: the importer's goal
        assert await _goal(client, token, "workshop", workshops=["w1"]) == 0.3
        assert await _goal(client, token, "workshop", workshops=["w2"]) == 0.2
        assert await _goal(client, token, "workshop", importer="imp2", workshops=["w1"]) == 0.7


async def test_a_goal_set_is_seen_by_the_next_request(client, token, engine):
    await _tenants(engine)
    assert await _goal(client, token, "workshop", workshops=["w1"]) == 0.3
    mutation = 'mutation { setConnectionRateGoal(workshopId: "w1", goal: 0.4) { goal } }'
    answer = await client.post(
        "/graphql",
        json={"query": mutation},
        headers={"Authorization": f"Bearer {token('importer')}"},
    )
    assert "errors" not in answer.json()
    assert await _goal(client, token, "workshop", workshops=["w1"]) == 0.4


async def test_a_workshop_ingested_is_seen_by_the_next_request(client, token, engine):
    await _tenants(engine)
    # w3 does not exist yet: the scope holds w1 only, whose goal applies
    assert await _goal(client, token, "workshop", workshops=["w1", "w3"]) == 0.3
    csv = "workshop_ref,importer_ref,name\nw3,imp,Gamma\n"
    headers = {"Authorization": f"Bearer {token('integration')}", "content-type": "text/csv"}
    assert (await client.post("/ingest/workshops", content=csv, headers=headers)).status_code == 200
    # now two workshops are shown: the importer's goal
    assert await _goal(client, token, "workshop", workshops=["w1", "w3"]) == 0.5


async def test_a_kept_list_saves_its_statement(app, client, token, engine):
    await _tenants(engine)
    with counting(app.state.insights.engine) as first:
        await _goal(client, token)
    with counting(app.state.insights.engine) as again:
        await _goal(client, token)
    with counting(app.state.insights.engine) as third:
        await _goal(client, token)
    assert any("FROM workshops" in sql for sql in first)
    assert not any("FROM workshops" in sql for sql in again)
    assert len(third) == len(again)  # constant once kept


async def test_a_list_is_read_again_under_any_other_stamp():
    lists = WorkshopLists()
    reads = []

    async def read():
        reads.append(1)
        return [WorkshopRow(len(reads), f"w{len(reads)}", "n", None, None)]

    kept = await lists.get((1, None), (1, 1), read)
    assert await lists.get((1, None), (1, 1), read) == kept and len(reads) == 1
    await lists.get((1, None), (2, 1), read)  # a processing run (data version)
    await lists.get((1, None), (2, 2), read)  # a write (content version)
    assert len(reads) == 3
