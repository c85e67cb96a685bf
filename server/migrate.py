"""Apply and inspect the Alembic migrations that ship inside the package."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine


def _script_location() -> Path:
    """The migrations folder: top-level ``migrations/`` in a checkout, installed as
    the ``server.migrations`` package (pyproject's package-dir maps one to the other)."""
    spec = importlib.util.find_spec("server.migrations")
    if spec is None or spec.origin is None:
        raise RuntimeError("the server.migrations package is missing from this installation")
    return Path(spec.origin).parent


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_script_location()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest revision (blocking; runs its own loop)."""
    command.upgrade(alembic_config(url), "head")


async def upgrade_async(url: str) -> None:
    """``upgrade`` from inside a running event loop (Alembic's env runs its own)."""
    await asyncio.to_thread(upgrade, url)


def head_revision() -> str | None:
    return ScriptDirectory(str(_script_location())).get_current_head()


async def is_current(engine: AsyncEngine) -> bool:
    """True when the database is at the newest revision (what /readyz reports)."""
    async with engine.connect() as conn:
        current = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    return current == head_revision()
