"""Tokens already verified in this process, until they expire.

A dashboard client sends the same bearer token with every request; checking its
signature and claims again each time was a tenth of a small request's Python
time. A token's text fixes its claims and its signature, and of the checks only
expiry can turn a good token bad later (``nbf`` and ``iat`` only turn bad ones
good, and those were refused, not remembered). So an entry is keyed by the whole
token and answers until ``exp`` plus the leeway, exactly when a full check would
start to say "token expired". Keys fetched from a JWKS URL may be withdrawn, so
the verifier remembers only tokens checked against configured keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import LRUCache

from server.auth.principal import Principal
from server.errors import Unauthenticated

MAXSIZE = 1024


class VerifiedTokens:
    """A bounded LRU: token text -> (Principal, the moment it expires)."""

    def __init__(self, maxsize: int = MAXSIZE, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._entries: LRUCache[str, tuple[Principal, float]] = LRUCache(maxsize)

    def principal(self, token: str) -> Principal | None:
        """The remembered Principal of ``token``; None if it is not remembered.

        Raises:
            Unauthenticated: the token was good and has expired since.
        """
        found = self._entries.get(token)
        if found is None:
            return None
        principal, expires = found
        if self.clock() >= expires:
            del self._entries[token]
            raise Unauthenticated("token expired")
        return principal

    def remember(self, token: str, principal: Principal, expires: float) -> None:
        """Keep a verified token's Principal until ``expires`` (seconds since the epoch)."""
        self._entries[token] = (principal, expires)

    def __len__(self) -> int:
        return len(self._entries)
