"""Every in-process rollup copy of an application — ``workshop_day`` and the
partner day rollups — followed together and held under one memory budget."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from server.resolvers.day_copy import DayCopy, day_copy
from server.resolvers.partner_copy import PartnerCopy, cohort_copy, offer_copy
from server.resolvers.versioned_copies import CopyState


class ReadCopies:
    """The application's rollup copies.

    Args:
        max_bytes: what all copies of one process may hold together.
        enabled: False: every read goes to SQL.
    """

    def __init__(
        self,
        *,
        max_bytes: int,
        enabled: bool = True,
        one_at_a_time: asyncio.Lock | None = None,
        wait_seconds: float = 0.0,
    ) -> None:
        # one load at a time: a load's transient memory is then one kind's
        lock = one_at_a_time or asyncio.Lock()
        self.days: DayCopy = day_copy(max_bytes=max_bytes, enabled=enabled, one_at_a_time=lock)
        self.offers: PartnerCopy = offer_copy(
            max_bytes=max_bytes, enabled=enabled, one_at_a_time=lock
        )
        self.cohort: PartnerCopy = cohort_copy(
            max_bytes=max_bytes, enabled=enabled, one_at_a_time=lock
        )
        self.following = asyncio.Event()
        """Set once the data-version listener has connected and caught up."""
        for member in self._members:
            member.used_elsewhere = self._others_of(member)
            member.wait_seconds = wait_seconds

    @property
    def _members(self) -> tuple[DayCopy | PartnerCopy, ...]:
        return (self.days, self.offers, self.cohort)

    def _others_of(self, member: object) -> _Others:
        return _Others(self, member)

    @property
    def active(self) -> bool:
        return self.days.active

    @property
    def state(self) -> CopyState:
        """The least ready member's state (``warm``: every copy is loaded)."""
        states = {m.state for m in self._members}
        for state in ("off", "cold", "loading"):
            if state in states:
                return state
        return "warm"

    @property
    def nbytes(self) -> int:
        return sum(m.nbytes for m in self._members)

    def refresh(self, engine: AsyncEngine, importer_id: int, seen: int) -> None:
        for member in self._members:
            member.refresh(engine, importer_id, seen)

    async def warm(self, engine: AsyncEngine) -> None:
        for member in self._members:
            await member.warm(engine)

    async def settled(self) -> None:
        for member in self._members:
            await member.settled()

    async def close(self) -> None:
        for member in self._members:
            await member.close()


class _Others:
    """The bytes the other members of a ``ReadCopies`` hold (the shared budget)."""

    def __init__(self, copies: ReadCopies, member: object) -> None:
        self.copies = copies
        self.member = member

    def __call__(self) -> int:
        return sum(m.nbytes for m in self.copies._members if m is not self.member)
