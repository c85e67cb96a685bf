"""Warming a fresh process before it serves: the first request must not pay for
what every later one gets for free.

A new process's first dashboard cost several times a warm one (79 ms against
17 ms at full scale): the pool opened its connections (connect, asyncpg's setup
and type introspection), SQLAlchemy compiled each statement, asyncpg prepared
them on each connection, and strawberry, graphql-core and numpy filled their
first-use caches. Running one representative dashboard through the real
importer schema, a few at once, pays all of that at start instead.

Read-only and failure-tolerant: it runs as the first processed importer and
does nothing on a database without one (tests start apps on empty databases);
any failure is logged at DEBUG and start-up goes on. Off with
``INSIGHTS_WARMUP=false`` (tests that count statements from a cold process).
"""

from __future__ import annotations

import asyncio
import logging

import strawberry
from graphql import GraphQLNamedType, GraphQLObjectType, get_named_type, is_required_argument
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.principal import Principal, Role
from server.config import Settings
from server.resolvers.distinct_cache import DistinctCache
from server.resolvers.loaders import Loaders
from server.resolvers.read_copies import ReadCopies
from server.schema.context import Context

log = logging.getLogger(__name__)


def _leaves(type_: GraphQLNamedType, depth: int) -> str:
    """Every field of ``type_`` that needs no argument, down to ``depth``
    levels (lists of points included): what a full dashboard asks."""
    if not isinstance(type_, GraphQLObjectType):
        return ""
    parts = []
    for name, field in type_.fields.items():
        if any(is_required_argument(a) for a in field.args.values()):
            continue
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType):
            below = _leaves(inner, depth - 1) if depth > 1 else ""
            if below:
                parts.append(f"{name} {{ {below} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def dashboard_query(schema: strawberry.Schema) -> str:
    """The importer's Activations dashboard with every metric the schema has
    (derived from the schema, so a new metric is warmed up too): the request a
    client sends first, and the one whose statements most other reads share."""
    query = schema._schema.query_type
    assert query is not None  # every role's schema has a Query type
    dashboard = get_named_type(query.fields["activationsDashboard"].type)
    return (
        "{ activationsDashboard(period: {preset: LAST_30_DAYS}) "
        f"{{ {_leaves(dashboard, 3)} }} }}"
    )


_FIRST_PROCESSED = text(
    "SELECT i.importer_ref FROM importers i"
    " JOIN processing_state ps ON ps.importer_id = i.id"
    " WHERE ps.data_version > 0 ORDER BY i.id LIMIT 1"
)


async def first_processed_importer(reads: AsyncEngine) -> str | None:
    """The ref of the first importer with processed data, or None."""
    async with reads.connect() as conn:
        ref = (await conn.execute(_FIRST_PROCESSED)).scalar()
    return None if ref is None else str(ref)


async def warm_up(
    schema: strawberry.Schema,
    engine: AsyncEngine,
    reads: AsyncEngine,
    settings: Settings,
    copies: tuple[DistinctCache, ReadCopies],
    *,
    at_once: int,
) -> bool:
    """Run the importer dashboard ``at_once`` times concurrently (so several pool
    connections open and prepare its statements), then once more alone (each
    connection of the pool answered it once). True when it ran without errors."""
    ref = await first_processed_importer(reads)
    if ref is None:
        return False
    principal = Principal(sub="warm-up", role=Role.IMPORTER, importer=ref)
    query = dashboard_query(schema)

    async def once() -> bool:
        context = Context(
            principal=principal,
            engine=engine,
            settings=settings,
            loaders=Loaders(reads, *copies),
        )
        result = await schema.execute(query, context_value=context)
        if result.errors:
            log.debug("warm-up query answered errors: %s", result.errors)
        return not result.errors

    answers = await asyncio.gather(*(once() for _ in range(at_once)))
    return all(answers) and await once()


async def warm_up_bounded(
    schema: strawberry.Schema,
    engine: AsyncEngine,
    reads: AsyncEngine,
    settings: Settings,
    copies: tuple[DistinctCache, ReadCopies],
) -> None:
    """``warm_up`` within ``settings.warmup_seconds``; never raises (a slow or
    absent database must not stop the app from starting)."""
    if not settings.warmup:
        return
    try:
        await asyncio.wait_for(
            warm_up(schema, engine, reads, settings, copies, at_once=settings.warmup_connections),
            timeout=settings.warmup_seconds,
        )
    except Exception as exc:  # any failure: serve cold rather than not at all
        log.debug("warm-up skipped: %r", exc)
