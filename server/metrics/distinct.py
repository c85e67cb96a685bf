"""Exact distinct users over any period and any set of workshops, from the ids
active per workshop and day (never a sum of daily distinct counts).

Works on a columnar copy of the day rollup (day, workshop, user) sorted by day:
a period is a slice, a scope a gather of per-workshop blocks, and a distinct
count ``np.unique`` — milliseconds where SQL's count(DISTINCT) over unnested
arrays took most of a dashboard's time (notes/PERFORMANCE.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from server.metrics.periods import Period
from server.metrics.series import Granularity, buckets

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ActivityIds:
    """One kind of activity of one importer: a row per (day, workshop, user),
    sorted by day (days as proleptic ordinals)."""

    days: Ints
    workshops: Ints
    users: Ints

    @classmethod
    def empty(cls) -> ActivityIds:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none)


@dataclass
class DistinctCounts:
    """Exact distinct users for a scope: over each whole period
    (``totals[previous?]``) and per series bucket (``buckets[(granularity, previous?)]``)."""

    totals: dict[bool, int] = field(default_factory=lambda: {False: 0, True: 0})
    buckets: dict[tuple[Granularity, bool], dict[date, int]] = field(
        default_factory=lambda: defaultdict(dict)
    )


def _bucket_table(base: int, length: int, period: Period, granularity: Granularity) -> Ints:
    """For each day ordinal base..base+length-1 in ``period``: its bucket's start."""
    table = np.zeros(length, dtype=np.int64)
    for bucket in buckets(period, granularity):
        start = bucket.start.toordinal()
        table[start - base : bucket.end.toordinal() - base + 1] = start
    return table


def _per_bucket(days: Ints, users: Ints, table: Ints, base: int) -> dict[date, int]:
    pairs = np.unique((table[days - base] << 32) | users)
    starts, counts = np.unique(pairs >> 32, return_counts=True)
    return {date.fromordinal(int(s)): int(c) for s, c in zip(starts, counts, strict=True)}


def count_distinct(
    ids: ActivityIds,
    scopes: Sequence[Sequence[int]],
    current: Period,
    previous: Period,
    *,
    with_buckets: bool,
) -> list[DistinctCounts]:
    """Distinct users per scope over ``current`` and ``previous`` (and per
    day/week/month bucket of each when ``with_buckets``)."""
    base, last = previous.start.toordinal(), current.end.toordinal()
    lo = int(np.searchsorted(ids.days, base, "left"))
    hi = int(np.searchsorted(ids.days, last, "right"))
    days, workshops, users = ids.days[lo:hi], ids.workshops[lo:hi], ids.users[lo:hi]
    order = np.argsort(workshops, kind="stable")
    by_workshop = workshops[order]
    first_current = current.start.toordinal()
    tables = (
        {
            (g, of_previous): _bucket_table(base, last - base + 1, period, g)
            for g in Granularity
            for of_previous, period in ((False, current), (True, previous))
        }
        if with_buckets
        else {}
    )
    result = []
    for scope in scopes:
        blocks = [
            order[
                np.searchsorted(by_workshop, w, "left") : np.searchsorted(by_workshop, w, "right")
            ]
            for w in scope
        ]
        rows = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)
        scope_days, scope_users = days[rows], users[rows]
        in_current = scope_days >= first_current
        counts = DistinctCounts()
        for of_previous, mask in ((False, in_current), (True, ~in_current)):
            counts.totals[of_previous] = int(np.unique(scope_users[mask]).size)
        for (granularity, of_previous), table in tables.items():
            mask = ~in_current if of_previous else in_current
            counts.buckets[(granularity, of_previous)] = _per_bucket(
                scope_days[mask], scope_users[mask], table, base
            )
        result.append(counts)
    return result
