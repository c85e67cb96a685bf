"""Lists of dashboards as one batch: several aliased pages of workshops, each
with a dashboard per workshop, reach the database as one day-rows statement
(the pages used to arrive in different event-loop ticks, each page's
dashboards a batch of their own)."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from server.app import create_app
from server.schema import tenancy
from server.schema.common import PeriodInput
from server.schema.connection import encode_cursor
from tests.statements import counting
from tests.test_activations_batching import _seed

_FIELDS = "nodes { id dashboard(period: {preset: LAST_30_DAYS}) { newActivations { value } } }"


def _pages(size: int, count: int) -> str:
    pages = [f"p0: workshops(first: {size}) {{ {_FIELDS} }}"]
    for n in range(1, count):
        after = encode_cursor("workshop", f"w{n * size:04d}")
        pages.append(f'p{n}: workshops(first: {size}, after: "{after}") {{ {_FIELDS} }}')
    return "{ " + " ".join(pages) + " }"


@pytest.mark.parametrize("day_copy", [False, True])
async def test_aliased_pages_of_dashboards_are_one_batch(
    engine, settings, database_url, token, day_copy
):
    await _seed(engine, 40)
    settings = settings.model_copy(update={"day_copy": day_copy})
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer {token('importer')}"}
            await app.state.insights.day_copy.following.wait()
            await app.state.insights.day_copy.settled()
            await app.state.insights.distinct_cache.settled()
            with counting(app.state.insights.engine) as statements:
                body = (
                    await http.post("/graphql", json={"query": _pages(10, 4)}, headers=headers)
                ).json()
    assert "errors" not in body, body
    ids = [n["id"] for page in body["data"].values() for n in page["nodes"]]
    assert ids == [f"w{n:04d}" for n in range(1, 41)]
    assert all(
        n["dashboard"]["newActivations"]["value"] == 1
        for page in body["data"].values()
        for n in page["nodes"]
    )
    day_rows = [s for s in statements if "workshop_day " in s]
    versions = [s for s in statements if "data_version FROM processing_state" in s]
    if day_copy:  # answered in process, after one look at the data version
        assert (len(day_rows), len(versions)) == (0, 1), statements
    else:
        assert len(day_rows) == 1, f"{len(day_rows)} day-rows statements for 4 pages"


async def test_a_list_converts_its_period_once_and_resolves_its_dashboards_as_one_call(
    engine, settings, database_url, token, monkeypatch
):
    """4 aliased pages of 10 dashboards: the ``period:`` argument is converted
    once per page (not once per workshop) and no per-workshop resolver runs."""
    await _seed(engine, 40)
    conversions: list[object] = []
    per_workshop: list[object] = []
    convert = PeriodInput.__init__
    one_dashboard = tenancy.build_dashboard

    def counted_init(self: PeriodInput, *args: object, **kwargs: object) -> None:
        conversions.append(self)
        convert(self, *args, **kwargs)

    async def counted_dashboard(*args: object, **kwargs: object) -> object:
        per_workshop.append(args)
        return await one_dashboard(*args, **kwargs)

    monkeypatch.setattr(PeriodInput, "__init__", counted_init)
    monkeypatch.setattr(tenancy, "build_dashboard", counted_dashboard)
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer {token('importer')}"}
            body = (
                await http.post("/graphql", json={"query": _pages(10, 4)}, headers=headers)
            ).json()
    assert "errors" not in body, body
    assert sum(len(page["nodes"]) for page in body["data"].values()) == 40
    assert (len(conversions), len(per_workshop)) == (4, 0)
