"""Dashboard filters kept per user (JWT ``sub``) and dashboard kind."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.data_version import bump_content_version


async def load_filters(
    engine: AsyncEngine, importer_id: int, sub: str, dashboard: str
) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        value = (
            await conn.execute(
                text(
                    "SELECT filters FROM saved_filters"
                    " WHERE importer_id = :imp AND sub = :sub AND dashboard = :dashboard"
                ),
                {"imp": importer_id, "sub": sub, "dashboard": dashboard},
            )
        ).scalar_one_or_none()
    return dict(value) if value is not None else None


async def store_filters(
    engine: AsyncEngine, importer_id: int, sub: str, dashboard: str, filters: dict[str, Any]
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                """INSERT INTO saved_filters (importer_id, sub, dashboard, filters, updated_at)
                   VALUES (:imp, :sub, :dashboard, CAST(:filters AS jsonb), now())
                   ON CONFLICT (importer_id, sub, dashboard)
                   DO UPDATE SET filters = EXCLUDED.filters, updated_at = now()"""
            ),
            {
                "imp": importer_id,
                "sub": sub,
                "dashboard": dashboard,
                "filters": json.dumps(filters),
            },
        )
        await bump_content_version(conn, importer_id)
