"""Tokens from a real identity provider: configurable issuer and audience, keys
from a JWKS URL (served here on 127.0.0.1) with caching, a key rotation picked up
by refetching on an unknown kid (bounded by a cooldown), and claims under a
namespace (Hasura's nested object, Auth0's prefixed keys)."""

import socket
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.app import create_app
from tests.live import in_process, serving

ISSUER = "https://idp.example.com/"
AUDIENCE = "https://insights.example.com/api"
NAMESPACE = "https://insights.example.com/claims"


@pytest.fixture(scope="module")
def keys():
    return {
        "a": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "b": ec.generate_private_key(ec.SECP256R1()),
    }


def _jwk(kid, private):
    public = private.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        entry = RSAAlgorithm.to_jwk(public, as_dict=True)
    else:
        entry = ECAlgorithm.to_jwk(public, as_dict=True)
    return {**entry, "kid": kid, "use": "sig"}


def _token(keys, kid, *, claims=None, **overrides):
    private = keys[kid] if kid in keys else keys["a"]
    algorithm = "RS256" if isinstance(private, rsa.RSAPrivateKey) else "ES256"
    now = int(time.time())
    payload = {
        "sub": "auth0|42",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        NAMESPACE: claims or {"role": "importer", "importer": "imp"},
        **overrides,
    }
    return jwt.encode(payload, private, algorithm=algorithm, headers={"kid": kid})


class Provider:
    """A JWKS endpoint whose key set a test can rotate; counts fetches."""

    def __init__(self, entries):
        self.entries = entries
        self.fetches = 0
        self.app = Starlette(routes=[Route("/.well-known/jwks.json", self.jwks)])

    async def jwks(self, request):
        self.fetches += 1
        return JSONResponse({"keys": self.entries})


@pytest.fixture
async def provider(keys):
    idp = Provider([_jwk("a", keys["a"])])
    async with serving(idp.app) as url:
        idp.url = f"{url}/.well-known/jwks.json"
        yield idp


def _api(settings, database_url, url, cooldown=0.0):
    configured = settings.model_copy(
        update={
            "jwt_secret": None,
            "jwt_jwks_url": url,
            "jwt_jwks_cooldown_seconds": cooldown,
            "jwt_issuer": ISSUER,
            "jwt_audience": AUDIENCE,
            "jwt_claims_namespace": NAMESPACE,
        }
    )
    return create_app(configured, database_url=database_url, migrate=False)


async def _me(http, token):
    r = await http.post(
        "/graphql",
        json={"query": "{ me { sub role importer } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return r.status_code, r.json()


async def test_keys_come_from_the_jwks_url_and_rotate(settings, database_url, keys, provider):
    async with in_process(_api(settings, database_url, provider.url)) as http:
        status, body = await _me(http, _token(keys, "a"))
        assert status == 200, body
        assert body["data"]["me"] == {"sub": "auth0|42", "role": "importer", "importer": "imp"}
        assert provider.fetches == 1
        assert (await _me(http, _token(keys, "a")))[0] == 200
        assert provider.fetches == 1  # cached

        provider.entries = [_jwk("b", keys["b"])]  # the provider rotates to a new key
        status, body = await _me(http, _token(keys, "b"))
        assert status == 200, body
        assert provider.fetches == 2  # the unknown kid refetched the set once
        status, body = await _me(http, _token(keys, "a"))  # the retired key
        assert status == 401
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_refetching_for_unknown_kids_is_bounded(settings, database_url, keys, provider):
    async with in_process(_api(settings, database_url, provider.url, cooldown=3600)) as http:
        assert (await _me(http, _token(keys, "a")))[0] == 200
        for kid in ("x1", "x2", "x3"):
            status, body = await _me(http, _token(keys, kid))
            assert status == 401 and body["errors"][0]["message"] == "unknown key id"
        assert provider.fetches == 1


@pytest.mark.parametrize(
    "overrides",
    [{"iss": "insights"}, {"aud": "insights-api"}, {"iss": "https://evil.example/"}],
    ids=["default issuer", "default audience", "other issuer"],
)
async def test_issuer_and_audience_are_the_configured_ones(
    settings, database_url, keys, provider, overrides
):
    async with in_process(_api(settings, database_url, provider.url)) as http:
        status, _ = await _me(http, _token(keys, "a", **overrides))
    assert status == 401


async def test_auth0_style_prefixed_claims(settings, database_url, keys, provider):
    token = _token(
        keys,
        "a",
        **{
            NAMESPACE: None,
            f"{NAMESPACE}role": "workshop",
            f"{NAMESPACE}importer": "imp",
            f"{NAMESPACE}workshops": ["w1"],
        },
    )
    async with in_process(_api(settings, database_url, provider.url)) as http:
        status, body = await _me(http, token)
    assert status == 200, body
    assert body["data"]["me"]["role"] == "workshop"


async def test_claims_outside_the_namespace_are_not_read(settings, database_url, keys, provider):
    token = _token(keys, "a", claims={"importer": "imp"}, role="importer")
    async with in_process(_api(settings, database_url, provider.url)) as http:
        status, body = await _me(http, token)
    assert status == 401 and "role" in body["errors"][0]["message"]


async def test_an_unreachable_jwks_url_is_503(settings, database_url, keys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/jwks.json"  # nothing listens there
    async with in_process(_api(settings, database_url, url)) as http:
        status, body = await _me(http, _token(keys, "a"))
    assert status == 503
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


def test_development_tokens_follow_the_configured_issuer_and_namespace(settings):
    from server.auth.jwt import TokenVerifier
    from server.auth.tokens import mint_token

    configured = settings.model_copy(
        update={"jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, "jwt_claims_namespace": NAMESPACE}
    )
    token = mint_token(configured, role="workshop", importer="imp", workshops=["w1"])
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER and claims[NAMESPACE]["workshops"] == ["w1"]
    assert TokenVerifier(configured).verify(token).workshops == ("w1",)
