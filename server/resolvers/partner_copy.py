"""The partner day rollups (``partner_offer_day``, ``partner_cohort_day``) as
in-process columnar copies, like ``workshop_day`` (``day_copy.py``): one row of
columns per (partner, source, exclusive, marketplace) — the lead filters'
dimensions — so a dashboard under any filters sums the rows its filters keep,
two lookups each per period."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.metrics.columnar import DayColumns, DayColumnsBuilder
from server.metrics.daytable import DayTable
from server.models.rollups import PartnerCohortDay, PartnerOfferDay
from server.resolvers.day_copy import CHUNK_WORKSHOPS, day_rows
from server.resolvers.distinct_ids import version
from server.resolvers.partners import COHORT_COLUMNS, OFFER_COLUMNS, LeadFilter, Window
from server.resolvers.versioned_copies import Loader, VersionedCopies

RowKey = tuple[int, str, bool, int | None]
"""(partner id, source, exclusive, marketplace id): one row of a partner copy."""


@dataclass(frozen=True)
class PartnerDays:
    """One partner rollup of an importer: ``days`` row ``i`` holds ``keys[i]``."""

    days: DayColumns
    keys: tuple[RowKey, ...]

    @property
    def nbytes(self) -> int:
        return self.days.nbytes

    def rows_of(self, partner_ids: Sequence[int], lead_filter: LeadFilter) -> list[list[int]]:
        """Per partner, the rows its lead filters keep (the SQL path's WHERE)."""
        by_partner: dict[int, list[int]] = {}
        exclusive = lead_filter.exclusivity == "EXCLUSIVE"
        for row, (partner, source, is_exclusive, marketplace) in enumerate(self.keys):
            if lead_filter.source != "ALL" and source != lead_filter.source:
                continue
            if lead_filter.exclusivity != "ALL" and is_exclusive != exclusive:
                continue
            if lead_filter.marketplace_id is not None and marketplace != lead_filter.marketplace_id:
                continue
            by_partner.setdefault(partner, []).append(row)
        return [by_partner.get(p, []) for p in partner_ids]

    def tables(self, window: Window, partner_ids: Sequence[int]) -> dict[int, DayTable]:
        """What ``partners.offer_days`` / ``cohort_days`` answer, from the copy."""
        scopes = self.rows_of(partner_ids, window.lead_filter)
        found = day_rows(
            self.days, scopes, window.current, window.previous, with_days=window.with_days
        )
        return dict(zip(partner_ids, found, strict=True))


PartnerCopy = VersionedCopies[PartnerDays]

_KEYS = "partner_id, source, exclusive, marketplace_id"


def _floating(model: Any, columns: Sequence[str]) -> frozenset[str]:
    return frozenset(c for c in columns if model.model_fields[c].annotation is float)


def loader(table: str, columns: tuple[str, ...], floating: frozenset[str]) -> Loader[PartnerDays]:
    """Reads one partner rollup of an importer (one snapshot, partners in chunks)."""
    sums = ", ".join(f"sum({c}) AS {c}" for c in columns)
    folded = ", ".join(
        [_KEYS, "array_agg(day - CAST(:first AS date) ORDER BY day)"]
        + [f"array_agg({c} ORDER BY day)" for c in columns]
    )

    def add(builder: DayColumnsBuilder, rows: Sequence[Any], row_of: dict[RowKey, int]) -> None:
        lengths = [len(r[4]) for r in rows]
        keys = np.fromiter((row_of[(r[0], r[1], r[2], r[3])] for r in rows), np.int64, len(rows))
        values = {
            column: np.concatenate(
                [np.asarray(r[5 + c], np.float64 if column in floating else np.int64) for r in rows]
            )
            for c, column in enumerate(columns)
        }
        offsets = np.concatenate([np.asarray(r[4], np.int64) for r in rows])
        builder.add(np.repeat(keys, lengths), offsets, values)

    async def load(
        engine: AsyncEngine, importer_id: int, budget: int
    ) -> tuple[int, PartnerDays | None]:
        async with engine.connect() as plain:
            conn = await plain.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                as_of = await version(conn, importer_id)
                params = {"i": importer_id}
                first, last = (
                    await conn.execute(
                        text(f"SELECT min(day), max(day) FROM {table} WHERE importer_id = :i"),
                        params,
                    )
                ).one()
                keys: tuple[RowKey, ...] = tuple(
                    (int(r[0]), str(r[1]), bool(r[2]), r[3])
                    for r in await conn.execute(
                        text(
                            f"SELECT DISTINCT {_KEYS} FROM {table} WHERE importer_id = :i"
                            " ORDER BY 1, 2, 3, 4"
                        ),
                        params,
                    )
                )
                days = last.toordinal() - first.toordinal() + 1 if first else 0
                if DayColumnsBuilder.estimate(len(columns), len(keys), days) > budget:
                    return as_of, None
                row_of = {key: n for n, key in enumerate(keys)}
                builder = DayColumnsBuilder(
                    columns, floating, range(len(keys)), first.toordinal() if first else 0, days
                )
                partner_ids = sorted({k[0] for k in keys})
                for start in range(0, len(partner_ids), CHUNK_WORKSHOPS):
                    rows = (
                        await conn.execute(
                            text(
                                f"SELECT {folded} FROM (SELECT {_KEYS}, day, {sums}"
                                f" FROM {table} WHERE importer_id = :i"
                                " AND partner_id = ANY(CAST(:p AS int[]))"
                                f" GROUP BY {_KEYS}, day) AS t GROUP BY {_KEYS}"
                            ),
                            {
                                **params,
                                "p": partner_ids[start : start + CHUNK_WORKSHOPS],
                                "first": first,
                            },
                        )
                    ).all()
                    await asyncio.to_thread(add, builder, rows, row_of)
        built = await asyncio.to_thread(builder.build)
        copy = PartnerDays(built, keys)
        return as_of, copy if copy.nbytes <= budget else None

    return load


def offer_copy(*, max_bytes: int, enabled: bool = True) -> PartnerCopy:
    columns = OFFER_COLUMNS
    load = loader("partner_offer_day", columns, _floating(PartnerOfferDay, columns))
    return VersionedCopies("partner-offer copy", load, max_bytes=max_bytes, enabled=enabled)


def cohort_copy(*, max_bytes: int, enabled: bool = True) -> PartnerCopy:
    columns = COHORT_COLUMNS
    load = loader("partner_cohort_day", columns, _floating(PartnerCohortDay, columns))
    return VersionedCopies("partner-cohort copy", load, max_bytes=max_bytes, enabled=enabled)
