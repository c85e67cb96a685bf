"""Per-request DataLoaders of the Sales-partner dashboard: every partner dashboard
of a request asks by key, and each loader answers the keys of one event-loop tick
with one statement per distinct (importer, filters, periods) group — so 50
partner dashboards cost what 2 do.

Created per request with the request's ``Loaders`` (never module-level).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from server.resolvers import partners, tenancy
from server.resolvers.activations import DayRows
from server.resolvers.partners import OutflowRows, PipelineRow, Window
from server.resolvers.tenancy import WorkshopRow

if TYPE_CHECKING:
    from server.resolvers.partner_copy import PartnerCopy
    from server.resolvers.read_copies import ReadCopies

K = TypeVar("K")
V = TypeVar("V")
G = TypeVar("G", bound=Hashable)

SILENT_AFTER_DAYS = 14
"""An open lead is silent when its last touch is more than 14 days before today."""


Group = tuple[Window, date]
"""What one statement answers: a window of rollup rows, and today (silent leads)."""


@dataclass(frozen=True)
class PartnerKey:
    """One partner's dashboard data in a window (filters, period, previous period)."""

    partner_id: int
    window: Window
    today: date

    @property
    def group(self) -> Group:
        return (self.window, self.today)


@dataclass(frozen=True)
class PipelineKey:
    importer_id: int
    partner_id: int
    due_before: date


async def _grouped(
    keys: Sequence[K],
    group_of: Callable[[K], G],
    fetch: Callable[[G, list[K]], Awaitable[list[V]]],
) -> list[V]:
    # server.resolvers.loaders imports this module to build Loaders: import late.
    from server.resolvers.loaders import _grouped as grouped

    return await grouped(keys, group_of, fetch)


GroupFetch = Callable[[Group, list[int]], Awaitable[Mapping[int, V]]]
"""(group, partner ids) -> the rows of each partner: one SQL statement."""


def _per_group(fetch: GroupFetch[V]) -> Callable[[Sequence[PartnerKey]], Awaitable[list[V]]]:
    """A DataLoader batch function running ``fetch`` once per group of keys."""

    async def load(keys: Sequence[PartnerKey]) -> list[V]:
        async def of_group(group: Group, batch: list[PartnerKey]) -> list[V]:
            found = await fetch(group, [k.partner_id for k in batch])
            return [found[k.partner_id] for k in batch]

        return await _grouped(keys, lambda k: k.group, of_group)

    return load


class PartnerLoaders:
    """The partner DataLoaders of one request."""

    def __init__(
        self,
        engine: AsyncEngine,
        copies: ReadCopies | None = None,
        seen: Callable[[int], Awaitable[int]] | None = None,
    ) -> None:
        self.engine = engine
        # with the app's copies (and the request's look at the data version),
        # offers and cohorts come from them when current, else from SQL
        self.copies = copies
        self.seen = seen
        self.offers: DataLoader[PartnerKey, DayRows] = DataLoader(
            _per_group(
                lambda g, ids: self._days(
                    copies.offers if copies else None, g[0], ids, partners.offer_days
                )
            )
        )
        self.cohort: DataLoader[PartnerKey, DayRows] = DataLoader(
            _per_group(
                lambda g, ids: self._days(
                    copies.cohort if copies else None, g[0], ids, partners.cohort_days
                )
            )
        )
        self.silent: DataLoader[PartnerKey, DayRows] = DataLoader(
            _per_group(
                lambda g, ids: partners.silent_days(
                    engine, g[0], ids, silent_before=g[1] - timedelta(days=SILENT_AFTER_DAYS)
                )
            )
        )
        self.outflow: DataLoader[PartnerKey, OutflowRows] = DataLoader(
            _per_group(lambda g, ids: partners.outflow_rows(engine, g[0], ids))
        )
        self.pipeline: DataLoader[PipelineKey, PipelineRow] = DataLoader(self._pipeline)
        self.marketplace: DataLoader[tuple[int, str], int | None] = DataLoader(self._marketplace)
        self.workshop: DataLoader[tuple[int, int], WorkshopRow | None] = DataLoader(self._workshop)

    async def _days(
        self,
        copy: PartnerCopy | None,
        window: Window,
        partner_ids: list[int],
        by_sql: Callable[[AsyncEngine, Window, Sequence[int]], Awaitable[dict[int, DayRows]]],
    ) -> Mapping[int, DayRows]:
        if copy is not None and copy.active and self.seen is not None:
            seen = await self.seen(window.importer_id)
            current = await copy.current(self.engine, window.importer_id, seen)
            if current is not None:
                return current.tables(window, partner_ids)
        return await by_sql(self.engine, window, partner_ids)

    async def _pipeline(self, keys: Sequence[PipelineKey]) -> list[PipelineRow]:
        async def fetch(group: tuple[int, date], batch: list[PipelineKey]) -> list[PipelineRow]:
            found = await partners.pipelines(
                self.engine, group[0], [k.partner_id for k in batch], group[1]
            )
            return [found[k.partner_id] for k in batch]

        return await _grouped(keys, lambda k: (k.importer_id, k.due_before), fetch)

    async def _marketplace(self, keys: Sequence[tuple[int, str]]) -> list[int | None]:
        async def fetch(importer_id: int, batch: list[tuple[int, str]]) -> list[int | None]:
            found = await partners.marketplace_ids(self.engine, importer_id, [r for _, r in batch])
            return [found.get(ref) for _, ref in batch]

        return await _grouped(keys, lambda k: k[0], fetch)

    async def _workshop(self, keys: Sequence[tuple[int, int]]) -> list[WorkshopRow | None]:
        async def fetch(importer_id: int, batch: list[tuple[int, int]]) -> list[WorkshopRow | None]:
            rows = await tenancy.workshops_where(
                self.engine, importer_id, ids=[w for _, w in batch]
            )
            by_id = {r.id: r for r in rows}
            return [by_id.get(w) for _, w in batch]

        return await _grouped(keys, lambda k: k[0], fetch)
