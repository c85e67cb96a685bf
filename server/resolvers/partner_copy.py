"""The partner day rollups (``partner_offer_day``, ``partner_cohort_day``) as
in-process columnar copies, like ``workshop_day`` (``day_copy.py``): one row of
columns per (partner, source, exclusive, marketplace) — the lead filters'
dimensions — so a dashboard under any filters sums the rows its filters keep,
two lookups each per period."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.metrics.columnar import Array, DayColumns, DayColumnsBuilder
from server.metrics.daytable import DayTable
from server.models.copy_blocks import COHORT, OFFERS, BlockLayout
from server.resolvers.blocks import (
    DAYS_PER_STATEMENT,
    Block,
    columns_of,
    complete_version,
    fetch,
    held,
    refreshed,
    rows_in,
    snapshot,
)
from server.resolvers.day_copy import CHUNK_WORKSHOPS, day_rows
from server.resolvers.partners import LeadFilter, Window
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


_MARKETPLACES = 1 << 23
"""Marketplace ids a row key can hold (an id beyond fails the load: SQL answers)."""


def _codes(partners: Array, labels: Array, exclusive: Array, marketplaces: Array) -> Array:
    """One sortable int64 per row key (partner, source label, exclusive, marketplace)."""
    if len(marketplaces) and (marketplaces.max() >= _MARKETPLACES - 1 or labels.max() > 127):
        raise ValueError("a partner row key beyond what a copy code holds")
    return (
        (partners.astype(np.int64) << 32)
        | (labels.astype(np.int64) << 24)
        | (exclusive.astype(np.int64) << 23)
        | (marketplaces.astype(np.int64) + 1)
    )


def _from_blocks(
    layout: BlockLayout,
    blocks: Sequence[Block],
    days: Mapping[int, int],
    old: PartnerDays | None,
    budget: int,
) -> PartnerDays | None:
    """The copy from the day blocks ``blocks`` and, for every other day in
    ``days`` (ordinal -> version), the values ``old`` holds."""
    names = sorted(
        {*(n for b in blocks for n in b.labels), *(k[1] for k in old.keys)}
        if old
        else {n for b in blocks for n in b.labels}
    )
    label_of = {n: i for i, n in enumerate(names)}
    parts = []
    for b in blocks:
        local = np.fromiter((label_of[n] for n in b.labels), np.int64, len(b.labels))
        r = b.records
        parts.append(
            _codes(r["partner_id"], local[r["source"]], r["exclusive"], r["marketplace_id"])
        )
    old_codes = np.zeros(0, np.int64)
    if old is not None:
        k = old.keys
        old_codes = _codes(
            np.fromiter((x[0] for x in k), np.int64, len(k)),
            np.fromiter((label_of[x[1]] for x in k), np.int64, len(k)),
            np.fromiter((x[2] for x in k), np.int64, len(k)),
            np.fromiter((-1 if x[3] is None else x[3] for x in k), np.int64, len(k)),
        )
    if old is not None:
        by_block = dict(zip((b.day for b in blocks), parts, strict=True))
        moved = refreshed(old.days, blocks, days, lambda b: rows_in(old_codes, by_block[b.day]))
        if moved is not None:
            copy = PartnerDays(moved, old.keys)
            return copy if copy.nbytes <= budget else None
    codes = np.unique(np.concatenate([*parts, old_codes]))
    first = min(days) if days else 0
    span = max(days) - first + 1 if days else 0
    if DayColumnsBuilder.estimate(len(layout.columns), len(codes), span) > budget:
        return None
    builder = DayColumnsBuilder(layout.columns, layout.floating, range(len(codes)), first, span)
    if old is not None:
        fetched = {b.day for b in blocks}
        keep = np.fromiter((d for d in days if d not in fetched), np.int64)
        builder.add_copy(old.days, np.searchsorted(codes, old_codes), keep)
    for start in range(0, len(blocks), DAYS_PER_STATEMENT):
        days_of, fields = columns_of(blocks[start : start + DAYS_PER_STATEMENT], layout.columns)
        mine = np.concatenate(parts[start : start + DAYS_PER_STATEMENT])
        builder.add(np.searchsorted(codes, mine), days_of - first, fields)
    keys: tuple[RowKey, ...] = tuple(
        (
            c >> 32,
            names[(c >> 24) & 0xFF],
            bool((c >> 23) & 1),
            None if (c & 0x7FFFFF) == 0 else (c & 0x7FFFFF) - 1,
        )
        for c in codes.tolist()
    )
    copy = PartnerDays(builder.build(), keys)
    return copy if copy.nbytes <= budget else None


def loader(layout: BlockLayout) -> Loader[PartnerDays]:
    """Reads one partner rollup of an importer (one snapshot): from its copy
    blocks when they are complete, else its rows, partners in chunks."""
    table, columns, floating = layout.table, layout.columns, layout.floating
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
        engine: AsyncEngine,
        importer_id: int,
        budget: int,
        previous: tuple[int, PartnerDays] | None = None,
    ) -> tuple[int, PartnerDays | None]:
        async with snapshot(engine) as conn:
            as_of, complete = await complete_version(conn, importer_id)
            if not complete:
                return as_of, await from_rows(conn, importer_id, budget)
            days = await held(conn, importer_id, layout.kind)
            since = previous[0] if previous is not None else None
            wanted = [d for d, v in days.items() if since is None or v > since]
            blocks = await fetch(conn, importer_id, layout, wanted)
        old = previous[1] if previous is not None else None
        copy = await asyncio.to_thread(_from_blocks, layout, blocks, days, old, budget)
        return as_of, copy

    async def from_rows(conn: AsyncConnection, importer_id: int, budget: int) -> PartnerDays | None:
        params = {"i": importer_id}
        first, last = (
            await conn.execute(
                text(f"SELECT min(day), max(day) FROM {table} WHERE importer_id = :i"), params
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
            return None
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
                    {**params, "p": partner_ids[start : start + CHUNK_WORKSHOPS], "first": first},
                )
            ).all()
            await asyncio.to_thread(add, builder, rows, row_of)
        built = await asyncio.to_thread(builder.build)
        copy = PartnerDays(built, keys)
        return copy if copy.nbytes <= budget else None

    return load


def offer_copy(*, max_bytes: int, enabled: bool = True, **shared: Any) -> PartnerCopy:
    return VersionedCopies(
        "partner-offer copy", loader(OFFERS), max_bytes=max_bytes, enabled=enabled, **shared
    )


def cohort_copy(*, max_bytes: int, enabled: bool = True, **shared: Any) -> PartnerCopy:
    return VersionedCopies(
        "partner-cohort copy", loader(COHORT), max_bytes=max_bytes, enabled=enabled, **shared
    )
