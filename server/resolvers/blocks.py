"""Reading copy blocks (``server/models/copy_blocks.py``): which days an
importer's blocks hold at which version, and the records of the days a copy
lacks, decoded with ``np.frombuffer`` (no Python object per row).

Every read runs inside the caller's REPEATABLE READ snapshot, together with the
data version it is as of, so a run committing meanwhile is not half seen."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.metrics.columnar import Array, DayColumns
from server.models.copy_blocks import BlockLayout

IntArray = npt.NDArray[np.int64]

DAYS_PER_STATEMENT = 62
"""Blocks fetched per statement (a few MB each at 2,000 workshops)."""


@dataclass(frozen=True)
class Block:
    """One day of one kind: its records (a structured array over the fetched
    bytes) and the ``source`` labels the records' indexes name."""

    day: int  # ordinal
    version: int
    records: npt.NDArray[Any]
    labels: tuple[str, ...]


@contextlib.asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a REPEATABLE READ transaction: one consistent view."""
    async with engine.connect() as plain:
        conn = await plain.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            yield conn


def record_type(layout: BlockLayout) -> np.dtype[Any]:
    """The numpy form of a record the writer's SQL builds (big-endian, packed)."""
    fields: list[tuple[str, str]] = []
    for name in layout.keys:
        fields.append((name, {"source": ">i2", "exclusive": "u1"}.get(name, ">i4")))
    for name in layout.columns:
        fields.append((name, ">f8" if name in layout.floating else ">i4"))
    return np.dtype(fields)


def columns_of(blocks: Sequence[Block], names: Sequence[str]) -> tuple[IntArray, dict[str, Any]]:
    """The day ordinal of every record of ``blocks`` and each named field as a
    native array (one conversion for many blocks, not one per block)."""
    if not blocks:
        return np.zeros(0, np.int64), {n: np.zeros(0, np.int64) for n in names}
    records = np.concatenate([b.records for b in blocks])
    days = np.repeat(
        np.fromiter((b.day for b in blocks), np.int64, len(blocks)),
        [len(b.records) for b in blocks],
    )
    fields = {n: records[n].astype(records.dtype[n].newbyteorder("=")) for n in names}
    return days, fields


async def complete_version(conn: AsyncConnection, importer_id: int) -> tuple[int, bool]:
    """(data version, whether the blocks are complete for it)."""
    row = (
        await conn.execute(
            text(
                "SELECT data_version, blocks_version FROM processing_state WHERE importer_id = :i"
            ),
            {"i": importer_id},
        )
    ).first()
    if row is None:
        return 0, False
    return int(row[0]), row[1] is not None and int(row[1]) == int(row[0])


async def held(conn: AsyncConnection, importer_id: int, kind: str) -> dict[int, int]:
    """Every day the importer has a block of ``kind`` for: day ordinal -> version."""
    rows = await conn.execute(
        text("SELECT day, version FROM copy_blocks WHERE importer_id = :i AND kind = :k"),
        {"i": importer_id, "k": kind},
    )
    return {r[0].toordinal(): int(r[1]) for r in rows}


def _decode(rows: Sequence[Any], dtype: np.dtype[Any]) -> list[Block]:
    blocks = []
    for day, version, count, labels, payload in rows:
        records = np.frombuffer(payload, dtype=dtype)
        if len(records) != count:
            raise ValueError(f"a copy block of {day} holds {len(records)} records, not {count}")
        blocks.append(Block(day.toordinal(), int(version), records, tuple(labels or ())))
    return blocks


async def fetch(
    conn: AsyncConnection, importer_id: int, layout: BlockLayout, days: Sequence[int]
) -> list[Block]:
    """The blocks of ``days`` (ordinals), a few dozen per statement, decoded in
    a thread."""
    dtype = record_type(layout)
    wanted = sorted(days)
    found: list[Block] = []
    for start in range(0, len(wanted), DAYS_PER_STATEMENT):
        chunk = wanted[start : start + DAYS_PER_STATEMENT]
        rows = (
            await conn.execute(
                text(
                    "SELECT day, version, rows, labels, payload FROM copy_blocks"
                    " WHERE importer_id = :i AND kind = :k AND day BETWEEN :lo AND :hi"
                    " AND day - DATE '0001-01-01' + 1 = ANY(CAST(:days AS int[]))"
                ),
                {
                    "i": importer_id,
                    "k": layout.kind,
                    "lo": date.fromordinal(chunk[0]),
                    "hi": date.fromordinal(chunk[-1]),
                    "days": chunk,
                },
            )
        ).all()
        found.extend(await asyncio.to_thread(_decode, rows, dtype))
    return found


MOST_CHANGED_DAYS = 64
"""Beyond this many rewritten days a refresh builds the copy anew."""


def refreshed(
    old: DayColumns,
    blocks: Sequence[Block],
    days: Mapping[int, int],
    rows_of: Callable[[Block], IntArray | None],
) -> DayColumns | None:
    """``old`` with the days a run rewrote (``blocks``) and those whose block
    is gone (0 now) replaced in place of a rebuild; None when that does not
    apply (many days, a row ``old`` lacks: ``rows_of`` answers None)."""
    fetched = {b.day: b for b in blocks}
    gone = [d for d in range(old.first_day, old.first_day + old.days) if d not in days]
    changed = sorted({*fetched, *gone})
    if not changed:
        return old
    if len(changed) > MOST_CHANGED_DAYS:
        return None
    values = {c: np.zeros((len(old.workshops), len(changed))) for c in old.columns}
    for j, day in enumerate(changed):
        block = fetched.get(day)
        if block is None:
            continue
        rows = rows_of(block)
        if rows is None:
            return None
        for column in old.columns:
            values[column][rows, j] = block.records[column]
    return old.with_days(np.asarray(changed, dtype=np.int64), values)


def rows_in(held: IntArray, ids: Array) -> IntArray | None:
    """Where each of ``ids`` is in the sorted ``held``; None if one is not."""
    at = np.searchsorted(held, ids)
    if len(at) and (at.max() >= len(held) or (held[np.minimum(at, len(held) - 1)] != ids).any()):
        return None
    return at
