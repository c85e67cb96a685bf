"""A verified token is remembered (server/auth/verified_tokens.py) but never
answers for another token, nor past its expiry. Real HTTP (ASGI): the app's own
verifier, whose clock the test moves instead of waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from server.app import create_app
from server.auth.jwt import LEEWAY_SECONDS
from server.auth.principal import Role
from server.auth.tokens import mint_token
from server.config import Settings

ME = "{ me { role sub } }"


@pytest.fixture
async def served(
    settings: Settings, database_url: str
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield app, http


async def _me(http: httpx.AsyncClient, token: str) -> tuple[int, object]:
    response = await http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    return response.status_code, body.get("data", body.get("errors"))


async def test_a_remembered_token_is_refused_once_it_expires(served, settings):
    app, http = served
    token = mint_token(settings, role=Role.IMPORTER, importer="imp", ttl_seconds=600)
    assert await _me(http, token) == (200, {"me": {"role": "importer", "sub": "dev-importer"}})
    expires = jwt.decode(token, options={"verify_signature": False})["exp"] + LEEWAY_SECONDS
    app.state.insights.verifier.verified.clock = lambda: float(expires)
    status, errors = await _me(http, token)
    assert status == 401 and errors[0]["message"] == "token expired"  # type: ignore[index]


async def test_each_token_answers_for_its_own_role(served, settings):
    """Two tokens of one subject: each keeps its role however often they alternate."""
    _, http = served
    importer = mint_token(settings, role=Role.IMPORTER, importer="imp", sub="same")
    workshop = mint_token(
        settings, role=Role.WORKSHOP, importer="imp", workshops=["w1"], sub="same"
    )
    answers = [await _me(http, t) for t in (importer, workshop, importer, workshop)]
    roles = [data["me"]["role"] for _, data in answers]  # type: ignore[index]
    assert roles == ["importer", "workshop", "importer", "workshop"]


async def test_a_remembered_tokens_claims_with_another_signature_are_refused(served, settings):
    _, http = served
    token = mint_token(settings, role=Role.IMPORTER, importer="imp")
    assert (await _me(http, token))[0] == 200
    signed_elsewhere = mint_token(
        settings.model_copy(update={"jwt_secret": "another-secret-" + "y" * 40}),
        role=Role.IMPORTER,
        importer="imp",
        now=datetime.fromtimestamp(
            jwt.decode(token, options={"verify_signature": False})["iat"], UTC
        ),
    )
    assert signed_elsewhere.rsplit(".", 1)[0] == token.rsplit(".", 1)[0]  # same claims
    status, errors = await _me(http, signed_elsewhere)
    assert status == 401 and errors[0]["message"] == "bad signature"  # type: ignore[index]
