"""In-process copies of each importer's rollups, one per data version, loaded in
the background at start and whenever a processing run bumps the version, so no
request ever waits for a load; within a memory budget per process.

One per application (never module-level: each app — and each test database —
keeps its own). A request passes the version it read (one cheap statement per
request): while the copy of that version is not loaded, ``get`` answers None
and the caller reads its own scope with SQL, so an answer is never older than
the rollups it stands on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server import data_versions
from server.memory import trim_soon

log = logging.getLogger(__name__)

CopyState = Literal["cold", "loading", "warm", "off"]

RETRY_SECONDS = 30.0
"""After a failed load, requests read SQL this long before one tries again (a
load that keeps failing must not be restarted by every request)."""


class Sized(Protocol):
    @property
    def nbytes(self) -> int: ...


T = TypeVar("T", bound=Sized)

Loader = Callable[[AsyncEngine, int, int, tuple[int, T] | None], Awaitable[tuple[int, T | None]]]
"""(engine, importer id, bytes it may take, the copy held now and its version)
→ (version, copy or None when it would not fit: that importer is then answered
from SQL). The held copy lets a load fetch only what changed since."""


@dataclass(frozen=True)
class _Entry(Generic[T]):
    version: int
    copy: T | None  # None: over the memory budget


class VersionedCopies(Generic[T]):
    """The copies of one kind, per importer.

    Args:
        name: what the copies hold (log lines).
        loader: reads one importer's copy (a test may hold it back).
        max_bytes: the memory all importers' copies of this kind may hold.
        enabled: False: ``get`` always answers None (everything from SQL).
    """

    def __init__(
        self,
        name: str,
        loader: Loader[T],
        *,
        max_bytes: int,
        enabled: bool = True,
        one_at_a_time: asyncio.Lock | None = None,
    ):
        self.name = name
        self._one_at_a_time = one_at_a_time or asyncio.Lock()
        """Loads sharing it run one after the other (the memory a load needs
        beside the copies is then one load's, not every kind's at once)."""
        self.loader = loader
        self.max_bytes = max_bytes
        self.enabled = enabled
        self._entries: dict[int, _Entry[T]] = {}
        self._wanted: dict[int, int] = {}  # the newest version each importer was seen at
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._failed_at: dict[int, float] = {}
        self._warmed = False
        self.following = asyncio.Event()
        """Set once the data-version listener has connected and caught up."""
        self.wait_seconds = 0.0
        """How long a request may wait for a load under way before it reads SQL."""
        self.used_elsewhere: Callable[[], int] = lambda: 0
        """The bytes held by copies sharing this one's budget."""

    @property
    def state(self) -> CopyState:
        """``off`` when disabled, ``cold`` before start-up loading began,
        ``loading`` while any importer's copy is behind its known version, else ``warm``."""
        if not self.enabled:
            return "off"
        if not self._warmed:
            return "cold"
        return "loading" if any(not t.done() for t in self._tasks.values()) else "warm"

    @property
    def active(self) -> bool:
        """Whether requests may use the copies: enabled, and started by the
        application (an app run without its lifespan answers from SQL only)."""
        return self.enabled and self._warmed

    @property
    def nbytes(self) -> int:
        """The memory the loaded copies hold."""
        return sum(e.copy.nbytes for e in self._entries.values() if e.copy is not None)

    @property
    def over_budget(self) -> list[int]:
        """The importers answered from SQL because their copy would not fit."""
        return sorted(i for i, e in self._entries.items() if e.copy is None)

    def loaded_version(self, importer_id: int) -> int | None:
        entry = self._entries.get(importer_id)
        return entry.version if entry else None

    def get(self, engine: AsyncEngine, importer_id: int, current: int) -> T | None:
        """The importer's copy if it is of version ``current``, else None (and a
        load of that version starts, unless one is under way)."""
        if not self.active:
            return None
        entry = self._entries.get(importer_id)
        if entry is not None and entry.version == current:
            return entry.copy
        self.refresh(engine, importer_id, current)
        return None

    async def current(self, engine: AsyncEngine, importer_id: int, current: int) -> T | None:
        """Like ``get``, but when a load is under way, wait for it up to
        ``wait_seconds`` (a refresh from copy blocks takes a fraction of what
        answering from SQL would)."""
        wait = self.wait_seconds
        found = self.get(engine, importer_id, current)
        if found is not None or not self.active or wait <= 0:
            return found
        task = self._tasks.get(importer_id)
        if task is None or task.done():
            return None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), wait)
        entry = self._entries.get(importer_id)
        return entry.copy if entry is not None and entry.version == current else None

    def refresh(self, engine: AsyncEngine, importer_id: int, seen: int) -> None:
        """Load the importer's copy of version ``seen`` (or newer) in the
        background, unless it is loaded or loading (a load that ends behind
        ``seen`` reloads)."""
        if not self.enabled:
            return
        self._wanted[importer_id] = max(seen, self._wanted.get(importer_id, seen))
        entry = self._entries.get(importer_id)
        if entry is not None and entry.version >= seen:
            return
        failed = self._failed_at.get(importer_id)
        if failed is not None and time.monotonic() - failed < RETRY_SECONDS:
            return
        task = self._tasks.get(importer_id)
        if task is None or task.done():
            self._tasks[importer_id] = asyncio.create_task(self._load(engine, importer_id))

    async def _load(self, engine: AsyncEngine, importer_id: int) -> None:
        for _ in range(3):  # a run committing during a load makes it reload once more
            others = self.used_elsewhere() + sum(
                e.copy.nbytes
                for i, e in self._entries.items()
                if i != importer_id and e.copy is not None
            )
            held = self._entries.get(importer_id)
            previous = (held.version, held.copy) if held and held.copy is not None else None
            try:
                async with self._one_at_a_time:
                    started = time.perf_counter()
                    as_of, copy = await self.loader(
                        engine, importer_id, self.max_bytes - others, previous
                    )
            except Exception:  # the request path falls back to SQL; a later request retries
                log.exception("loading the %s of importer %s failed", self.name, importer_id)
                self._failed_at[importer_id] = time.monotonic()
                return
            self._failed_at.pop(importer_id, None)
            if copy is not None:
                log.info(
                    "loaded the %s of importer %s (version %s): %.1f MiB in %.2f s",
                    self.name,
                    importer_id,
                    as_of,
                    copy.nbytes / 2**20,
                    time.perf_counter() - started,
                )
            else:
                log.warning(
                    "the %s of importer %s exceeds its memory budget; answered from SQL",
                    self.name,
                    importer_id,
                )
            self._entries[importer_id] = _Entry(as_of, copy)
            del previous, held
            trim_soon()  # glibc keeps what a load freed in its heap
            if as_of >= self._wanted.get(importer_id, 0):
                return

    async def warm(self, engine: AsyncEngine) -> None:
        """Start loading every processed importer whose copy is behind (at
        start-up, and after missing notifications)."""
        if self.enabled:
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(
                        text("SELECT importer_id, data_version FROM processing_state")
                    )
                ).all()
            for importer_id, seen in rows:
                self.refresh(engine, int(importer_id), int(seen))
        self._warmed = True

    async def settled(self) -> None:
        """Wait until no load is under way (tests; shutdown)."""
        while pending := [t for t in self._tasks.values() if not t.done()]:
            await asyncio.wait(pending)

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task


class Follower(Protocol):
    """What a data-version listener keeps current (these copies; the distinct-count cache)."""

    def refresh(self, engine: AsyncEngine, importer_id: int, seen: int) -> None: ...

    async def warm(self, engine: AsyncEngine) -> None: ...


def start_following(
    url: str, engine: AsyncEngine, followers: Sequence[Follower]
) -> asyncio.Task[None]:
    """Keep every follower loaded from start-up on, over one listening
    connection: a processing run anywhere reaches all of them at once."""

    def changed(importer_id: int, seen: int) -> None:
        for follower in followers:
            follower.refresh(engine, importer_id, seen)

    async def connected() -> None:
        for follower in followers:
            await follower.warm(engine)
        for follower in followers:
            following = getattr(follower, "following", None)
            if isinstance(following, asyncio.Event):
                following.set()

    return asyncio.create_task(data_versions.follow(url, on_change=changed, on_connect=connected))
