"""A request's reads are freed when it ends, by reference counting: the rows
its DataLoaders cached must not wait for a (full) garbage collection, which
would then walk them (server/resolvers/loader_release.py)."""

from __future__ import annotations

import gc

import httpx
from asgi_lifespan import LifespanManager

from server.app import create_app
from server.resolvers.tenancy import WorkshopRow
from tests.test_activations_batching import _seed
from tests.test_list_batching import _pages


def _alive() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, WorkshopRow))


async def test_a_list_requests_workshop_rows_are_freed_without_a_collection(
    engine, settings, database_url, token
):
    await _seed(engine, 40)
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer {token('importer')}"}
            await app.state.insights.day_copy.settled()
            await app.state.insights.distinct_cache.settled()
            query = {"query": _pages(10, 4)}
            await http.post("/graphql", json=query, headers=headers)  # warm-up
            gc.collect()
            before = _alive()
            gc.disable()
            try:
                body = (await http.post("/graphql", json=query, headers=headers)).json()
                after = _alive()
            finally:
                gc.enable()
    assert "errors" not in body, body
    assert sum(len(page["nodes"]) for page in body["data"].values()) == 40
    assert after == before, f"{after - before} workshop rows kept alive after the request"


async def test_a_list_request_leaves_little_for_the_garbage_collector(
    engine, settings, database_url, token
):
    """What the executor compiled for a request (completers referring back to
    their context) is dropped with its answer, not left in cycles: what a
    request leaves for the collector does not grow with the size of its list."""
    await _seed(engine, 40)
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer {token('importer')}"}
            await app.state.insights.day_copy.settled()
            await app.state.insights.distinct_cache.settled()
            left: list[int] = []
            for size, count in ((10, 1), (10, 4)):
                query = {"query": _pages(size, count)}
                await http.post("/graphql", json=query, headers=headers)  # warm-up
                gc.collect()
                gc.disable()
                try:
                    await http.post("/graphql", json=query, headers=headers)
                    left.append(gc.collect())
                finally:
                    gc.enable()
    assert left[1] <= left[0] + 50, f"cyclic garbage for 1 page, 4 pages: {left}"
