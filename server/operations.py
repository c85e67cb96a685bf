"""The app's operational layer, as ASGI middleware (outermost first):

1. :class:`~server.observability.middleware.RequestObserver`: request id, one log
   line and the metrics per request;
2. :class:`~server.ratelimit.RateLimitMiddleware`: 429 past a principal's rate;
3. :class:`~server.outage.OutageMiddleware`: a database outage escaping a route
   becomes 503 ``SERVICE_UNAVAILABLE``.

Kept apart from the routes and from auth, so each piece can be read, tested and
merged on its own.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware
from starlette.routing import Route

from server.config import Settings
from server.heap_trim import HeapTrimmer
from server.observability.logging import log_request
from server.observability.metrics import metrics_endpoint, observe_pool, observe_request
from server.observability.middleware import RequestObserver
from server.observability.record import RequestRecord, count_statements
from server.outage import OutageMiddleware
from server.ratelimit import RateLimitMiddleware, TokenBuckets


def operational_middleware(
    settings: Settings, engine: AsyncEngine
) -> tuple[list[Middleware], list[Middleware]]:
    """(outside the edge's CORS and authentication, inside them)."""
    count_statements(engine)

    def metrics_sink(record: RequestRecord) -> None:
        observe_request(record)
        observe_pool(engine)

    sinks = (log_request, metrics_sink, HeapTrimmer())
    outer = [Middleware(RequestObserver, sinks=sinks)]
    inner = []
    rate = settings.effective_rate_limit
    if rate > 0:
        buckets = TokenBuckets(rate, settings.rate_limit_burst)
        inner.append(Middleware(RateLimitMiddleware, buckets=buckets))
    inner.append(Middleware(OutageMiddleware))
    return outer, inner


def operational_routes() -> list[Route]:
    return [Route("/metrics", metrics_endpoint)]
