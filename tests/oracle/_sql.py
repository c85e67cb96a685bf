"""SQL fragments and value conversions shared by the oracle's metric queries.

The oracle reads only the raw fact tables and spells every rule out in plain SQL,
so that it cannot share a bug with the rollup-based implementation it checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection


def local_day(column: str) -> str:
    """The importer-local calendar day of a timestamptz column (binds ``:tz``).

    An explicit zone name makes the day independent of the session's TimeZone.
    """
    return f"CAST(({column} AT TIME ZONE CAST(:tz AS text)) AS date)"


def seconds(interval: str) -> str:
    """An interval expression as float seconds (absolute instants, never calendar days)."""
    return f"CAST(EXTRACT(EPOCH FROM ({interval})) AS double precision)"


def as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def ratio(numerator: int, denominator: int) -> float | None:
    """A rate over a zero denominator is null (METRICS.md)."""
    return None if denominator == 0 else numerator / denominator


async def one_row(conn: AsyncConnection, sql: str, params: Mapping[str, Any]) -> Row[Any]:
    return (await conn.execute(text(sql), dict(params))).one()


async def all_rows(conn: AsyncConnection, sql: str, params: Mapping[str, Any]) -> list[Row[Any]]:
    return list((await conn.execute(text(sql), dict(params))).all())
