"""Connection-rate goals: per workshop, or the importer's default."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.data_version import bump_content_version


async def set_workshop_goal(
    engine: AsyncEngine, importer_id: int, workshop_id: int, goal: float | None
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE workshops SET connection_rate_goal = :goal"
                " WHERE importer_id = :imp AND id = :id"
            ),
            {"goal": goal, "imp": importer_id, "id": workshop_id},
        )
        await bump_content_version(conn, importer_id)


async def set_importer_goal(engine: AsyncEngine, importer_id: int, goal: float | None) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE importers SET connection_rate_goal = :goal WHERE id = :imp"),
            {"goal": goal, "imp": importer_id},
        )
        await bump_content_version(conn, importer_id)
