"""The Starlette application: routes, and the lifespan that opens the database
pool and applies migrations at start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import time

import strawberry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server import gc_tuning
from server.auth.jwt import TokenVerifier
from server.auth.principal import Role
from server.config import Settings, get_settings
from server.db import autocommit_reads, make_engine, resolve_database_url
from server.graphql_view import GraphQLEndpoint, RoleGraphQL
from server.http.errors import EXCEPTION_HANDLERS
from server.http.ide import ide_routes
from server.http.stack import edge_middleware
from server.ingest_route import ingest_csv
from server.memory import configure_allocator
from server.migrate import is_current, upgrade_async
from server.observability.logging import configure as configure_logging
from server.operations import operational_middleware, operational_routes
from server.processing.schedule import run_schedule
from server.reports.route import partner_report_pdf
from server.resolvers.distinct_cache import DistinctCache
from server.resolvers.read_copies import ReadCopies
from server.resolvers.versioned_copies import start_following
from server.schema.build import build_schemas
from server.warmup import warm_up_bounded

log = logging.getLogger(__name__)


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    verifier: TokenVerifier
    schemas: dict[Role, strawberry.Schema]
    distinct_cache: DistinctCache
    day_copy: ReadCopies
    reads: AsyncEngine
    """``engine`` for a request's reads: a statement each, no transaction around it."""


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    state: AppState = request.app.state.insights
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        current = await is_current(state.engine)
    except Exception as exc:  # any failure to reach the database means "not ready"
        log.warning("readyz: database unreachable: %s", exc)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    if not current:
        return JSONResponse({"status": "unavailable", "migrations": "behind"}, 503)
    cache = state.distinct_cache
    days = state.day_copy
    return JSONResponse(
        {
            "status": "ok",
            "distinctCache": cache.state,
            "distinctCacheBytes": cache.nbytes,
            "dayCopy": days.state,
            "dayCopyBytes": days.nbytes,
        }
    )


def create_app(
    settings: Settings,
    *,
    database_url: str | None = None,
    migrate: bool = True,
) -> Starlette:
    """Build the app. ``database_url`` overrides settings (tests); with neither, the
    embedded PostgreSQL is started."""
    url = database_url or resolve_database_url(settings.database_url, settings.data_dir)
    configure_allocator()
    engine = make_engine(url)
    verifier = TokenVerifier(settings)
    schemas = build_schemas(settings)
    one_at_a_time = asyncio.Lock()  # one copy load at a time: one load's peak memory
    distinct_cache = DistinctCache(
        one_at_a_time=one_at_a_time, wait_seconds=settings.copy_wait_seconds
    )
    days = ReadCopies(
        one_at_a_time=one_at_a_time,
        max_bytes=settings.day_copy_max_bytes,
        enabled=settings.day_copy,
        wait_seconds=settings.copy_wait_seconds,
    )
    apps = {
        role: RoleGraphQL(schema, engine, settings, distinct_cache, days)
        for role, schema in schemas.items()
    }
    endpoint = GraphQLEndpoint(apps, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if migrate:
            await upgrade_async(url)
        schedule = _start_schedule(settings, engine)
        try:  # starts the loads; no request waits for them
            await distinct_cache.warm(engine)
            await days.warm(engine)
        except Exception as exc:  # database away: the listener warms it once it connects
            log.warning("distinct-count copies not loaded at start: %s", exc)
        versions = start_following(url, engine, [distinct_cache, days])
        # Start-up ends once the listener has caught up (bounded: a database away
        # at start must not stop the app from answering 503s).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(days.following.wait(), timeout=5)
        # Serve once the copies are loaded (from copy blocks: seconds), so no
        # request pays for a cold load; bounded: past it they load on meanwhile.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                _settled(distinct_cache, days), timeout=settings.copy_preload_seconds
            )
        reads = autocommit_reads(engine)
        await warm_up_bounded(
            schemas[Role.IMPORTER], engine, reads, settings, (distinct_cache, days)
        )
        gc_tuning.freeze_startup_heap()
        yield
        gc_tuning.unfreeze()
        for task in (schedule, versions):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await distinct_cache.close()
        await days.close()
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Route("/ingest/{kind}", ingest_csv, methods=["POST"]),
            Route("/reports/partners/{id}.pdf", partner_report_pdf),
            *operational_routes(),
            *(ide_routes() if settings.environment == "development" else []),
        ],
        # Outermost first: the request log sees every answer (CORS refusals and
        # 401s included); rate limits and outages sit inside the authentication.
        middleware=edge_middleware(
            settings, verifier, operational=operational_middleware(settings, engine)
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.insights = AppState(
        settings=settings,
        engine=engine,
        verifier=verifier,
        schemas=schemas,
        distinct_cache=distinct_cache,
        day_copy=days,
        reads=autocommit_reads(engine),
    )
    return app


async def _settled(distinct_cache: DistinctCache, days: ReadCopies) -> None:
    await days.settled()
    await distinct_cache.settled()


def _start_schedule(settings: Settings, engine: AsyncEngine) -> asyncio.Task[None] | None:
    if not settings.process_schedule:
        return None
    hours, minutes = (int(part) for part in settings.process_at.split(":"))
    return asyncio.create_task(run_schedule(engine, time(hours, minutes), today=settings.today))


def app_from_environment() -> Starlette:
    """The uvicorn factory used by `insights serve` (each worker builds its own)."""
    settings = get_settings()
    configure_logging(settings.effective_log_format, settings.log_level)
    return create_app(settings)
