"""Index-friendly bounds around a set of local days.

The exact test "this timestamp's local day is one of these days" needs the
importer's timezone per row, so no index can serve it; a range on the raw
timestamp that surely contains those days can. Any timezone is within a day of
UTC, so [first day - 1, last day + 2) in UTC is wide enough; the exact test
still runs on what the range lets through."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def instant_bounds(days: Sequence[date] | None) -> tuple[datetime, datetime]:
    """[lo, hi) instants containing every instant of ``days`` (None: all days)."""
    if days is None:
        return _EARLIEST, _LATEST
    if not days:
        return _EARLIEST, _EARLIEST
    lo = datetime.combine(min(days) - timedelta(days=1), time.min, tzinfo=UTC)
    hi = datetime.combine(max(days) + timedelta(days=2), time.min, tzinfo=UTC)
    return lo, hi


def day_bounds(days: Sequence[date] | None) -> tuple[date, date]:
    """[lo, hi] days containing ``days`` (None: all days)."""
    if days is None:
        return date.min, date.max
    if not days:
        return date.max, date.min
    return min(days), max(days)
