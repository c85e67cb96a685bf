"""Signing keys from an identity provider's JWKS URL (``INSIGHTS_JWT_JWKS_URL``).

PyJWT's ``PyJWKClient`` fetches the key set and caches it (``lifespan``); a token
whose ``kid`` is not in the cached set triggers one refetch — that is how a key
rotation at the provider is picked up — but at most once per cooldown, so tokens
with made-up kids cannot make the API hammer the provider. Fetching is blocking
I/O: callers run it in a thread (``TokenVerifier.verify_async``).
"""

from __future__ import annotations

import jwt
from jwt import PyJWKClient

from server.errors import ServiceUnavailable, Unauthenticated

# The key set is re-read at most this often when every kid is known.
JWKS_CACHE_SECONDS = 300.0
_FETCH_TIMEOUT_SECONDS = 5.0


class RemoteKeys:
    """The public keys behind a JWKS URL, looked up by ``kid``.

    Args:
        url: the provider's JWKS endpoint (e.g. ``https://tenant.auth0.com/.well-known/jwks.json``).
        cooldown_seconds: the least time between two refetches for unknown kids.
    """

    def __init__(self, url: str, cooldown_seconds: float) -> None:
        self.url = url
        self._client = PyJWKClient(
            url,
            cache_jwk_set=True,
            lifespan=JWKS_CACHE_SECONDS,
            timeout=_FETCH_TIMEOUT_SECONDS,
            cooldown_duration=cooldown_seconds,
        )

    def public_key(self, kid: str | None) -> object:
        """The key for ``kid`` (without a kid: the set's only key).

        Raises:
            Unauthenticated: no key with that id (after the refetch the cooldown allows).
            ServiceUnavailable: the JWKS URL cannot be fetched.
        """
        try:
            if kid is None:
                keys = self._client.get_signing_keys()
                if len(keys) != 1:
                    raise Unauthenticated(
                        "token has no kid header and several keys could verify it"
                    )
                return keys[0].key
            return self._client.get_signing_key(kid).key
        except jwt.PyJWKClientConnectionError:
            raise ServiceUnavailable(
                "the identity provider's signing keys cannot be fetched; try again shortly"
            ) from None
        except jwt.PyJWKClientError:
            raise Unauthenticated("unknown key id") from None
