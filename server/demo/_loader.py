"""Loading the demo into a database through the ordinary ingestion path, so the
demo exercises exactly what a real integration would."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.demo._files import write_demo_csvs
from server.demo._scale import DemoScale


async def database_is_empty(engine: AsyncEngine) -> bool:
    """True while no importer exists: the demo is only loaded into a new database."""
    async with engine.connect() as conn:
        found = await conn.execute(text("SELECT EXISTS (SELECT 1 FROM importers)"))
        return not found.scalar_one()


async def load_demo(
    engine: AsyncEngine,
    *,
    end: date,
    scale: DemoScale = DemoScale(),
    seed: int = 7,
    progress: bool = False,
) -> dict[str, int]:
    """Generate the demo files and ingest them; returns rows generated per kind.

    Raises:
        RuntimeError: some rows were rejected; the message lists every error.
    """
    from server.ingest import ingest_directory  # the ingest package imports models, db

    with tempfile.TemporaryDirectory(prefix="insights-demo-") as folder:
        directory = Path(folder)
        counts = write_demo_csvs(directory, end=end, scale=scale, seed=seed)
        reports = await ingest_directory(engine, directory, progress=progress)
    problems = [f"{report.kind}: {error}" for report in reports for error in report.errors]
    if problems:
        shown = "\n".join(problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise RuntimeError(f"the demo data set was rejected:\n{shown}{more}")
    return counts
