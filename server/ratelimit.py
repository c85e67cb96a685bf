"""Rate limiting per principal: a token bucket per (importer, role, sub).

Each principal may send ``burst`` requests at once and ``rate`` per second on
average; past that it gets 429 with ``Retry-After`` (whole seconds until one
request is allowed again) in the API's JSON error shape, before any work is
done. Requests without a valid token are not limited here: they are refused
with 401 without touching the database. The buckets live in the process, so
with N workers (or replicas) a principal may get up to N times the rate.
Off (rate 0) by default in development, on in production.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth.from_scope import principal_from_scope
from server.http.errors import error_response

RATE_LIMITED = "RATE_LIMITED"
_MAX_BUCKETS = 100_000
_LIMITED_PATHS = ("/graphql", "/ingest/", "/reports/")


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """``take(key)`` → 0 when allowed, else the seconds until it would be.

    Args:
        rate: tokens added per second.
        burst: bucket size (and the starting fill).
        clock: monotonic seconds; injectable so tests need no sleeps.
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        # Past the bound the longest idle goes: at worst it gets a fresh burst when it returns.
        self._buckets: LRUCache[tuple[str, ...], _Bucket] = LRUCache(_MAX_BUCKETS)

    def take(self, key: tuple[str, ...]) -> float:
        now = self.clock()
        bucket = self._buckets.get(key) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[key] = bucket
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(_LIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        principal = principal_from_scope(scope)
        if principal is None:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take((principal.importer, str(principal.role), principal.sub))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        response = error_response(
            429,
            RATE_LIMITED,
            f"too many requests; retry after {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
