"""The request checks remember what they work out per parsed document
(server/schema/document_memo.py), and only what depends on the document alone:
the same query text with other variables or another operation gets its own
answer. Real HTTP (ASGI), real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.config import Settings
from server.schema.document_memo import DocumentMemo
from tests.oracle.fixtures import insert_importer

# cost: workshops + nodes + totalCount, then 2 per item (id, name)
PAGE = "workshops(first: $n) { totalCount nodes { id name } }"
MAX_COST = 50  # first: 10 costs 23, first: 30 costs 63


@pytest.fixture
async def http(
    engine: AsyncEngine, settings: Settings, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with engine.begin() as c:
        await insert_importer(c, ref="imp")
    app = create_app(
        settings.model_copy(update={"max_cost": MAX_COST}), database_url=database_url, migrate=False
    )
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def _poster(http: httpx.AsyncClient, token: Callable[..., str]) -> Callable[..., Any]:
    headers = {"Authorization": f"Bearer {token('importer')}"}

    async def post(query: str, **body: object) -> list[str]:
        """The error codes of one request (empty: it answered)."""
        response = await http.post("/graphql", json={"query": query, **body}, headers=headers)
        return [e["extensions"]["code"] for e in response.json().get("errors", [])]

    return post


async def test_one_document_costs_what_each_requests_variables_ask(http, token):
    post = _poster(http, token)
    query = f"query($n: Int!) {{ {PAGE} }}"
    answers = [await post(query, variables={"n": n}) for n in (10, 30, 10, 30)]
    assert answers == [[], ["QUERY_TOO_COMPLEX"], [], ["QUERY_TOO_COMPLEX"]]


async def test_one_document_costs_what_the_chosen_operation_asks(http, token):
    post = _poster(http, token)
    two = (
        "query Small { workshops(first: 10) { totalCount nodes { id name } } }"
        " query Big { workshops(first: 30) { totalCount nodes { id name } } }"
    )
    answers = [await post(two, operationName=name) for name in ("Small", "Big", "Small", "Big")]
    assert answers == [[], ["QUERY_TOO_COMPLEX"], [], ["QUERY_TOO_COMPLEX"]]


async def test_nul_in_variables_is_checked_on_every_request_of_one_document(http, token):
    post = _poster(http, token)
    query = "query($s: String!) { workshops(first: 1, search: $s) { totalCount } }"
    answers = [await post(query, variables={"s": s}) for s in ("a", "a\x00", "a", "a\x00")]
    assert answers == [[], ["BAD_USER_INPUT"], [], ["BAD_USER_INPUT"]]


def test_an_entry_is_kept_for_its_document_object_only() -> None:
    """Equal documents parsed twice are two entries; a bounded memo forgets the oldest."""
    from graphql import parse

    memo: DocumentMemo[int] = DocumentMemo(maxsize=2)
    first, again = parse("{ me { role } }"), parse("{ me { role } }")
    assert memo.get(first, None, lambda: 1) == 1
    assert memo.get(first, None, lambda: 2) == 1
    assert memo.get(again, None, lambda: 3) == 3
    memo.get(parse("{ importer { id } }"), None, lambda: 4)
    assert len(memo) == 2
    assert memo.get(first, None, lambda: 5) == 5
