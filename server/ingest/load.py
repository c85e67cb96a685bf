"""Loading files, text and row batches: validate everything, then write it all
in one transaction, or nothing.

A load runs in five steps on one connection and one transaction:
1. read the small refs (importers, workshops, partners, marketplaces);
2. parse and check each row in Python while COPYing the good ones, with their
   line numbers, into a temporary staging table;
3. check the large refs (VINs, leads) and in-file duplicate keys in SQL;
4. stop here, writing nothing, if any row is bad (unless invalid rows are
   skipped: then they leave the staging table and go to the reject file);
5. one set-based upsert into the target, marking the days it touches.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from server.data_version import bump_content_version_asyncpg
from server.errors import BadUserInput
from server.ingest._check import RowChecker, header_errors
from server.ingest._refs import load_refs
from server.ingest._rejects import reject_path, write_rejects
from server.ingest._sources import CsvSource, MappingSource, Numbered, Source, UnreadableCsv
from server.ingest._spec import KindSpec
from server.ingest._specs import spec_for
from server.ingest._staging import drop_lines, duplicates, stage, staged_count, unresolved
from server.ingest._window import FactWindow
from server.ingest._writing import write
from server.ingest.kinds import KINDS
from server.ingest.report import IngestReport, RowError


async def ingest_file(
    engine: AsyncEngine,
    kind: str,
    path: Path,
    *,
    skip_invalid: bool = False,
    importer_ref: str | None = None,
    progress: bool = False,
    window: FactWindow | None = None,
) -> IngestReport:
    """Load one CSV file of ``kind`` (DOMAIN.md, "Files") in one transaction.

    Args:
        engine: the database.
        kind: one of ``KINDS``; anything else raises ``UnknownKind``.
        path: a UTF-8 CSV file with a header row.
        skip_invalid: load the good rows and write the bad ones, with reasons,
            to ``<file>.rejects.csv``; by default one bad row writes nothing.
        importer_ref: the importer an integration may write to; refs of any
            other importer are then unknown.
        progress: show a progress bar while reading (the CLI).
        window: the days facts may lie on (default: from the settings).

    Returns:
        The report: rows accepted and every bad row with its line (header = 1).

    Example:
        >>> report = await ingest_file(engine, "visits", Path("visits.csv"))
        >>> report.accepted, report.errors
        (1000, [])
    """
    spec = spec_for(kind)
    path = Path(path)
    if not path.is_file():
        raise BadUserInput(f"no such file: {path}")
    source = CsvSource.file(path, progress=progress, label=f"{kind} ({path.name})")
    report, rows_checked = await _load(
        engine, spec, source, skip_invalid=skip_invalid, scope=importer_ref, window=window
    )
    if skip_invalid and report.errors and rows_checked:
        report.reject_file = write_rejects(CsvSource.file(path), report.errors, reject_path(path))
    return report


async def ingest_directory(
    engine: AsyncEngine,
    directory: Path,
    *,
    skip_invalid: bool = False,
    progress: bool = False,
    window: FactWindow | None = None,
) -> list[IngestReport]:
    """Load every ``KIND.csv`` found in ``directory``, in ``KINDS`` order (reference
    data first), one transaction per file; stop after the first file with errors
    unless ``skip_invalid``. Returns the reports of the files loaded so far."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BadUserInput(f"no such directory: {directory}")
    reports: list[IngestReport] = []
    for kind in KINDS:
        path = directory / f"{kind}.csv"
        if not path.is_file():
            continue
        report = await ingest_file(
            engine, kind, path, skip_invalid=skip_invalid, progress=progress, window=window
        )
        reports.append(report)
        if report.errors and not skip_invalid:
            break
    return reports


async def ingest_csv_text(
    engine: AsyncEngine,
    kind: str,
    text: str,
    *,
    importer_ref: str | None = None,
    window: FactWindow | None = None,
) -> IngestReport:
    """Load CSV text (e.g. an HTTP request body) exactly like a file of that kind;
    lines are numbered as in a file (header = line 1). All rows or none."""
    source = CsvSource.text(text)
    return (await _load(engine, spec_for(kind), source, scope=importer_ref, window=window))[0]


async def ingest_rows(
    engine: AsyncEngine,
    kind: str,
    rows: Sequence[Mapping[str, str | None]],
    *,
    importer_ref: str,
    window: FactWindow | None = None,
) -> IngestReport:
    """Load rows keyed by CSV column name, values as CSV text or None (the
    integration's API). Errors give ``line`` = index in ``rows``, from 0."""
    spec = spec_for(kind)
    source = MappingSource(rows, spec.required)
    return (await _load(engine, spec, source, scope=importer_ref, window=window))[0]


async def _load(
    engine: AsyncEngine,
    spec: KindSpec,
    source: Source,
    *,
    scope: str | None,
    skip_invalid: bool = False,
    window: FactWindow | None = None,
) -> tuple[IngestReport, bool]:
    """The report, and whether rows were checked at all (not with a bad header)."""
    try:
        with source.open() as (header, rows):
            problems = header_errors(spec, header)
            if problems or header is None:
                return IngestReport(spec.kind, 0, problems), False
            accepted, errors = await _transaction(
                engine,
                spec,
                header,
                rows,
                scope=scope,
                skip_invalid=skip_invalid,
                window=window or FactWindow.of(),
            )
    except UnreadableCsv as exc:
        return IngestReport(spec.kind, 0, [RowError(exc.line, None, exc.reason)]), False
    errors.sort(key=lambda e: e.line)
    return IngestReport(spec.kind, accepted, errors), True


async def _transaction(
    engine: AsyncEngine,
    spec: KindSpec,
    header: list[str],
    rows: Numbered,
    *,
    scope: str | None,
    skip_invalid: bool,
    window: FactWindow,
) -> tuple[int, list[RowError]]:
    async with engine.connect() as connection:
        # asyncpg directly: COPY needs it, and SQLAlchemy would not BEGIN until
        # its own first statement, so the transaction is asyncpg's too.
        conn: Any = (await connection.get_raw_connection()).driver_connection
        transaction = conn.transaction()
        await transaction.start()
        try:
            # Hash joins and the upsert's RETURNING set of a large file would
            # otherwise spill to disk at the default 4 MB.
            await conn.execute("SET LOCAL work_mem = '256MB'")
            accepted, errors = await _steps(conn, spec, header, rows, scope, skip_invalid, window)
        except BaseException:
            await transaction.rollback()
            raise
        if errors and not skip_invalid:
            await transaction.rollback()
            return 0, errors
        await transaction.commit()
        return accepted, errors


async def _steps(
    conn: Any,
    spec: KindSpec,
    header: Collection[str],
    rows: Numbered,
    scope: str | None,
    skip_invalid: bool,
    window: FactWindow,
) -> tuple[int, list[RowError]]:
    refs = await load_refs(conn, spec.refs, scope)
    checker = RowChecker(spec, list(header), refs, window)
    await stage(conn, spec, checker.records(rows))
    errors = checker.errors
    # Unresolved rows leave the staging table before duplicates are looked for:
    # a row repeating the key of a rejected row is not rejected for that.
    found = await unresolved(conn, spec, scoped=scope is not None)
    await drop_lines(conn, found)
    errors.extend(found)
    found = await duplicates(conn, spec)
    await drop_lines(conn, found)
    errors.extend(found)
    if errors and not skip_invalid:
        return 0, errors
    await write(conn, spec, header)
    accepted = await staged_count(conn)
    if accepted:
        # Last in the transaction: holds the processing_state row lock briefly.
        await bump_content_version_asyncpg(conn, scope)
    return accepted, errors
