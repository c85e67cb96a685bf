"""Aliased forward pages of workshops are read in one statement
(server/resolvers/workshop_pages.py), and each answers exactly what reading
it alone (tenancy.workshop_page) answers: for every page size and cursor
(before the first ref, between refs, on one, past the last), for a scope of
some refs and for a search, on refs whose order is the database's collation."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from server.app import create_app
from server.resolvers.tenancy import workshop_page
from server.resolvers.workshop_pages import workshop_pages
from server.schema.connection import encode_cursor
from tests.oracle.fixtures import insert_importer
from tests.statements import counting

REFS = ["a1", "A2", "a10", "b", "B-3", "c_4", "Ä5", "z"]


async def _world(engine) -> int:
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp")
        for n, ref in enumerate(REFS):
            await conn.execute(
                text(
                    "INSERT INTO workshops (importer_id, workshop_ref, name, city)"
                    " VALUES (:i, :r, :n, :c)"
                ),
                {"i": imp, "r": ref, "n": f"Workshop {ref}", "c": "Odense" if n % 2 else None},
            )
    return imp


async def test_pages_in_one_statement_equal_pages_alone(engine):
    imp = await _world(engine)
    afters = [None, "", "0", "a1", "a10", "b", "Ä5", "m", "z", "zz"]
    scopes: list[tuple[tuple[str, ...] | None, str | None]] = [
        (None, None),
        (("a1", "b", "z", "nope"), None),
        (None, "odense"),
        (None, "nothing matches"),
        ((), None),
    ]
    for (only, search), first in itertools.product(scopes, [0, 1, 2, 3, 10]):
        pages = [(first, after) for after in afters]
        together = await workshop_pages(engine, imp, only_refs=only, search=search, pages=pages)
        alone = [
            await workshop_page(
                engine, imp, only_refs=only, search=search, first=size, after_ref=after
            )
            for size, after in pages
        ]
        assert together == alone, (only, search, first)


async def test_aliased_pages_cost_one_statement(engine, settings, database_url, token):
    """Four aliased pages of a list read the workshops once, and answer what
    each page answers alone."""
    await _world(engine)
    afters = [None, *(encode_cursor("workshop", r) for r in ("A2", "b", "c_4"))]
    fields = "{ totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } }"

    def page(n: int, after: str | None) -> str:
        return f"p{n}: workshops(first: 2" + ("" if after is None else f', after: "{after}"') + ")"

    aliased = "{ " + " ".join(page(n, a) + fields for n, a in enumerate(afters)) + " }"
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer {token('importer')}"}

            async def ask(query: str) -> dict[str, Any]:
                found: dict[str, Any] = (
                    await http.post("/graphql", json={"query": query}, headers=headers)
                ).json()
                assert "errors" not in found, found
                return found["data"]

            with counting(app.state.insights.engine) as statements:
                together = await ask(aliased)
            alone = {
                f"p{n}": (await ask("{ " + page(n, a) + fields + " }"))[f"p{n}"]
                for n, a in enumerate(afters)
            }
    assert together == alone
    assert [len(together[f"p{n}"]["nodes"]) for n in range(4)] == [2, 2, 2, 2]
    assert len([s for s in statements if "FROM workshops" in s]) == 1, statements
