"""Two apps on one database that differ in one boolean setting (the day copy,
the fast execution path), for the differential tests that require both to
answer every query with the same bytes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from server.app import create_app
from server.config import Settings

Ask = Callable[[str, dict[str, Any], str, dict[str, Any]], Awaitable[list[tuple[int, bytes]]]]


@dataclass(frozen=True)
class BothWays:
    """``apps[0]``/``clients[0]`` with the setting on, ``[1]`` with it off."""

    apps: list[Starlette]
    clients: list[httpx.AsyncClient]

    def asker(self, token: Callable[..., str]) -> Ask:
        """ask(query, variables, role, claims) -> [(status, body) per app]."""

        async def ask(
            query: str, variables: dict[str, Any], role: str, claims: dict[str, Any]
        ) -> list[tuple[int, bytes]]:
            headers = {"Authorization": f"Bearer {token(role, **claims)}"}
            answers = []
            for http in self.clients:
                r = await http.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                answers.append((r.status_code, r.content))
            return answers

        return ask


async def serve_both_ways(
    stack: AsyncExitStack, settings: Settings, database_url: str, setting: str
) -> BothWays:
    """Start both apps inside ``stack``; each has loaded its copies before it returns."""
    apps, clients = [], []
    for value in (True, False):
        app = create_app(
            settings.model_copy(update={setting: value}), database_url=database_url, migrate=False
        )
        manager = await stack.enter_async_context(LifespanManager(app))
        await app.state.insights.day_copy.following.wait()
        await app.state.insights.day_copy.settled()
        transport = httpx.ASGITransport(app=manager.app)
        clients.append(
            await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://t")
            )
        )
        apps.append(app)
    return BothWays(apps, clients)
