"""What every resolver gets: the verified principal, the database, settings,
the request's loaders, and the principal's importer and scope (read once)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.principal import Principal, Role
from server.clock import today_in
from server.config import Settings
from server.errors import NotFound
from server.resolvers import tenancy
from server.resolvers.loaders import Loaders
from server.resolvers.tenancy import ImporterRow, WorkshopRow


@dataclass
class Context:
    principal: Principal
    engine: AsyncEngine
    settings: Settings
    loaders: Loaders
    request: Any = None
    memo: dict[Any, Any] = field(default_factory=dict)
    """Per-request results worked out once for many list items (dashboard plans)."""
    _importer: asyncio.Task[ImporterRow | None] | None = field(default=None, init=False)

    def release(self) -> None:
        """Called once the answer is written: frees the request's cached reads
        without waiting for a garbage collection (server/resolvers/loader_release.py)."""
        self.loaders.release()
        self.memo.clear()

    async def importer(self) -> ImporterRow:
        """The principal's importer; NOT_FOUND when the token names an unknown one
        (answered like any other missing id). Read once per request: root fields
        run concurrently, so they share one task rather than racing to load it."""
        if self._importer is None:
            self._importer = asyncio.ensure_future(self._importer_and_version())
        row = await self._importer
        if row is None:
            raise NotFound.of("importer", self.principal.importer)
        return row

    async def _importer_and_version(self) -> ImporterRow | None:
        """The importer, and its data version handed to the request's loaders
        (read in the same statement: one round trip fewer than reading it apart)."""
        found = await tenancy.importer_and_version(self.loaders.engine, self.principal.importer)
        if found is None:
            return None
        row, version, content = found
        self.loaders.data_version.prime(row.id, version)
        self.loaders.stamps[row.id] = (version, content)
        return row

    async def today(self) -> date:
        return today_in((await self.importer()).timezone, self.settings.today)

    @property
    def workshop_refs_allowed(self) -> Sequence[str] | None:
        """None: every workshop of the importer; else only these refs."""
        if self.principal.role is Role.IMPORTER:
            return None
        if self.principal.role is Role.WORKSHOP:
            return self.principal.workshops
        return ()

    async def workshops_in_scope(self, refs: Sequence[str] | None) -> list[WorkshopRow]:
        """The workshops named by ``refs`` (None: all the principal may see).

        A ref outside the principal's scope answers exactly like a missing one.
        """
        importer = await self.importer()
        allowed = self.workshop_refs_allowed
        if refs is None:
            only = None if allowed is None else tuple(allowed)
            return await self.loaders.scoped_workshops.load((importer.id, only))
        wanted = list(dict.fromkeys(refs))
        outside = [r for r in wanted if allowed is not None and r not in allowed]
        if outside:
            raise NotFound.of("workshop", outside[0])
        found = await self.loaders.workshop_by_ref.load_many([(importer.id, r) for r in wanted])
        rows = [row for row in found if row is not None]
        if len(rows) < len(wanted):
            missing = next(r for r, row in zip(wanted, found, strict=True) if row is None)
            raise NotFound.of("workshop", missing)
        return sorted(rows, key=lambda r: r.ref)


Info = strawberry.Info[Context, None]
