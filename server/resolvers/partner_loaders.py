"""Per-request DataLoaders for the partner dashboard (filled in by the partner work)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine


class PartnerLoaders:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
