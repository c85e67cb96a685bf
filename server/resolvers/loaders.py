"""Per-request DataLoaders: every dashboard in a request asks for its data by
key, and each loader answers all keys of one event-loop tick with one statement
per distinct (importer, period) group — so 300 workshop dashboards cost what 3 do.

Created per request (never module-level: that would leak data across tenants).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from server.metrics.columnar import DayColumns
from server.metrics.distinct import DistinctCounts, count_distinct
from server.metrics.periods import Period
from server.resolvers import activations, tenancy
from server.resolvers.activations import ActivityRow, DayRows
from server.resolvers.day_copy import day_rows as day_rows_from_copy
from server.resolvers.day_copy import workshop_activity as activity_from_copy
from server.resolvers.distinct_cache import DistinctCache
from server.resolvers.distinct_ids import KINDS, load_window, version
from server.resolvers.loader_release import release_loaders
from server.resolvers.partner_loaders import PartnerLoaders
from server.resolvers.read_copies import ReadCopies
from server.resolvers.tenancy import PartnerRow, WorkshopRow
from server.resolvers.workshop_lists import Stamp, lists_for
from server.resolvers.workshop_pages import workshop_pages

K = TypeVar("K")
V = TypeVar("V")
G = TypeVar("G", bound=Hashable)


@dataclass(frozen=True)
class ScopeKey:
    """A set of workshops of one importer over a period and its previous period."""

    importer_id: int
    workshops: tuple[int, ...]
    current: Period
    previous: Period
    with_days: bool = False  # per-day rows (series drawn), else whole-period sums

    @property
    def group(self) -> tuple[int, Period, Period, bool]:
        return (self.importer_id, self.current, self.previous, self.with_days)


@dataclass(frozen=True)
class PageKey:
    """One page of an importer's workshops (``only``: the refs a principal may see)."""

    importer_id: int
    only: tuple[str, ...] | None
    search: str | None
    first: int | None
    after: str | None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class WorkshopPeriodKey:
    importer_id: int
    workshop_id: int
    period: Period


async def _grouped(
    keys: Sequence[K],
    group_of: Callable[[K], G],
    fetch: Callable[[G, list[K]], Awaitable[list[V]]],
) -> list[V]:
    """Split ``keys`` into groups, fetch each group with one call, restore key order."""
    groups: dict[G, list[int]] = defaultdict(list)
    for position, key in enumerate(keys):
        groups[group_of(key)].append(position)
    results: list[V | None] = [None] * len(keys)
    for group, positions in groups.items():
        values = await fetch(group, [keys[p] for p in positions])
        for position, value in zip(positions, values, strict=True):
            results[position] = value
    return cast(list[V], results)


R = TypeVar("R", WorkshopRow, PartnerRow)


async def _by_ref(
    keys: Sequence[tuple[int, str]],
    fetch: Callable[[int, list[str]], Awaitable[list[R]]],
) -> list[R | None]:
    """(importer id, ref) keys answered by one ``fetch`` per importer, in key order."""

    async def of_importer(importer_id: int, batch: list[tuple[int, str]]) -> list[R | None]:
        found = {row.ref: row for row in await fetch(importer_id, [ref for _, ref in batch])}
        return [found.get(ref) for _, ref in batch]

    return await _grouped(keys, lambda k: k[0], of_importer)


class Loaders:
    """The DataLoaders of one request."""

    def __init__(
        self,
        engine: AsyncEngine,
        distinct_cache: DistinctCache | None = None,
        day_copy: ReadCopies | None = None,
    ) -> None:
        self.engine = engine
        # without the app's caches (one-off use): everything from SQL
        self.distinct_cache = distinct_cache
        self.day_copy = day_copy
        self.data_version: DataLoader[int, int] = DataLoader(self._versions)
        self.day_rows: DataLoader[ScopeKey, DayRows] = DataLoader(self._day_rows)
        self.distinct: DataLoader[ScopeKey, dict[str, DistinctCounts]] = DataLoader(self._distinct)
        self.newest: DataLoader[tuple[int, int], date | None] = DataLoader(self._newest)
        self.activity: DataLoader[WorkshopPeriodKey, ActivityRow] = DataLoader(self._activity)
        self.workshop_by_ref: DataLoader[tuple[int, str], WorkshopRow | None] = DataLoader(
            self._workshops_by_ref
        )
        self.partner_by_ref: DataLoader[tuple[int, str], PartnerRow | None] = DataLoader(
            self._partners_by_ref
        )
        self.partners = PartnerLoaders(engine, day_copy, self.data_version.load)
        # Lists of workshops go through loaders too: every aliased page or
        # dashboard of a request is answered in the same event-loop tick, so
        # the dashboards below them all join one batch (one day-rows statement
        # instead of one per page).
        self.workshop_page: DataLoader[PageKey, tenancy.WorkshopPage] = DataLoader(self._pages)
        self.workshop_lists = lists_for(engine)
        self.stamps: dict[int, Stamp] = {}
        """Per importer id: the versions this request read (see ``_scoped``)."""
        self.scoped_workshops: DataLoader[tuple[int, tuple[str, ...] | None], list[WorkshopRow]] = (
            DataLoader(self._scoped)
        )

    def release(self) -> None:
        """At the end of the request: frees what the loaders cached (loader_release.py)."""
        release_loaders(self)
        release_loaders(self.partners)

    async def _pages(self, keys: Sequence[PageKey]) -> list[tenancy.WorkshopPage]:
        """Forward pages of one scope in one statement (aliased pages of a big
        list), any other page on its own; all at once, each on its own connection."""
        groups: dict[tuple[int, tuple[str, ...] | None, str | None], list[int]] = {}
        for n, k in enumerate(keys):
            if k.last is None and k.before is None:
                groups.setdefault((k.importer_id, k.only, k.search), []).append(n)
        together = [positions for positions in groups.values() if len(positions) > 1]
        alone = sorted(set(range(len(keys))) - {n for p in together for n in p})

        async def of_group(positions: list[int]) -> list[tenancy.WorkshopPage]:
            k = keys[positions[0]]
            return await workshop_pages(
                self.engine,
                k.importer_id,
                only_refs=k.only,
                search=k.search,
                pages=[(keys[n].first, keys[n].after) for n in positions],
            )

        async def of_one(n: int) -> list[tenancy.WorkshopPage]:
            k = keys[n]
            page = await tenancy.workshop_page(
                self.engine,
                k.importer_id,
                only_refs=k.only,
                search=k.search,
                first=k.first,
                after_ref=k.after,
                last=k.last,
                before_ref=k.before,
            )
            return [page]

        order = [*together, *([n] for n in alone)]
        answers = await asyncio.gather(
            *(of_group(p) for p in together), *(of_one(n) for n in alone)
        )
        found: dict[int, tenancy.WorkshopPage] = {}
        for positions, pages in zip(order, answers, strict=True):
            found.update(zip(positions, pages, strict=True))
        return [found[n] for n in range(len(keys))]

    async def _scoped(
        self, keys: Sequence[tuple[int, tuple[str, ...] | None]]
    ) -> list[list[WorkshopRow]]:
        """Kept between requests under the versions this request read first
        (server/resolvers/workshop_lists.py); read afresh without them."""
        found = []
        for i, only in keys:
            read = partial(tenancy.scoped_workshops, self.engine, i, only)
            stamp = self.stamps.get(i)
            found.append(
                await (read() if stamp is None else self.workshop_lists.get((i, only), stamp, read))
            )
        return found

    async def _workshops_by_ref(self, keys: Sequence[tuple[int, str]]) -> list[WorkshopRow | None]:
        return await _by_ref(
            keys, lambda i, refs: tenancy.workshops_where(self.engine, i, refs=refs)
        )

    async def _partners_by_ref(self, keys: Sequence[tuple[int, str]]) -> list[PartnerRow | None]:
        return await _by_ref(
            keys, lambda i, refs: tenancy.partners_where(self.engine, i, refs=refs)
        )

    async def _day_rows(self, keys: Sequence[ScopeKey]) -> list[DayRows]:
        async def fetch(
            group: tuple[int, Period, Period, bool], batch: list[ScopeKey]
        ) -> list[DayRows]:
            scopes = [k.workshops for k in batch]
            importer_id, current, previous, with_days = group
            copy = await self._day_copy(importer_id)
            if copy is not None:
                return day_rows_from_copy(copy, scopes, current, previous, with_days=with_days)
            return await activations.day_rows(
                self.engine, importer_id, scopes, current, previous, with_days=with_days
            )

        return await _grouped(keys, lambda k: k.group, fetch)

    async def _distinct(self, keys: Sequence[ScopeKey]) -> list[dict[str, DistinctCounts]]:
        async def fetch(
            group: tuple[int, Period, Period, bool], batch: list[ScopeKey]
        ) -> list[dict[str, DistinctCounts]]:
            importer_id, current, previous, with_buckets = group
            scopes = [k.workshops for k in batch]
            ids = None
            if self.distinct_cache is not None:
                seen = await self.data_version.load(importer_id)  # shared with the day copy
                ids = await self.distinct_cache.ids(self.engine, importer_id, seen)
            if ids is None:  # the copy is loading: read just these workshops and days
                workshops = sorted({w for scope in scopes for w in scope})
                ids = await load_window(
                    self.engine, importer_id, workshops, previous.start, current.end
                )
            per_kind = {
                kind: count_distinct(
                    ids[kind], scopes, current, previous, with_buckets=with_buckets
                )
                for kind in KINDS
            }
            return [{kind: per_kind[kind][i] for kind in KINDS} for i in range(len(batch))]

        return await _grouped(keys, lambda k: k.group, fetch)

    async def day_copy_of(self, importer_id: int) -> DayColumns | None:
        """The importer's day-rollup copy if it is of the data version this
        request sees (one look at the version per request), else None: SQL."""
        return await self._day_copy(importer_id)

    async def _day_copy(self, importer_id: int) -> DayColumns | None:
        if self.day_copy is None or not self.day_copy.active:
            return None
        seen = await self.data_version.load(importer_id)
        return await self.day_copy.days.current(self.engine, importer_id, seen)

    async def _versions(self, keys: Sequence[int]) -> list[int]:
        async with self.engine.connect() as conn:
            return [await version(conn, importer_id) for importer_id in keys]

    async def _newest(self, keys: Sequence[tuple[int, int]]) -> list[date | None]:
        async def fetch(importer_id: int, batch: list[tuple[int, int]]) -> list[date | None]:
            found = await activations.newest_data_days(
                self.engine, importer_id, [w for _, w in batch]
            )
            return [found.get(w) for _, w in batch]

        return await _grouped(keys, lambda k: k[0], fetch)

    async def _activity(self, keys: Sequence[WorkshopPeriodKey]) -> list[ActivityRow]:
        async def fetch(
            group: tuple[int, Period], batch: list[WorkshopPeriodKey]
        ) -> list[ActivityRow]:
            workshops = [k.workshop_id for k in batch]
            copy = await self._day_copy(group[0])
            if copy is not None:
                found = activity_from_copy(copy, workshops, group[1])
            else:
                found = await activations.workshop_activity(
                    self.engine, group[0], workshops, group[1]
                )
            return [found.get(k.workshop_id, ActivityRow(0, 0, None)) for k in batch]

        return await _grouped(keys, lambda k: (k.importer_id, k.period), fetch)
