"""Exact distinct users over any period and any set of workshops, from the ids
active per workshop and day (never a sum of daily distinct counts).

Works on a columnar copy of the day rollup (day, workshop, user) sorted by day:
a period is a slice, a scope a gather of per-workshop blocks, and a distinct
count a bitmap or a sort — milliseconds where SQL's count(DISTINCT) over unnested
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


def _distinct(users: Ints) -> int:
    """How many different ids: a bitmap over the dense ids (O(n); np.unique hashes
    or sorts and was ~60x slower here)."""
    if users.size == 0:
        return 0
    seen = np.zeros(int(users.max()) + 1, dtype=bool)
    seen[users] = True
    return int(np.count_nonzero(seen))


@dataclass(frozen=True)
class _Buckets:
    """The buckets of one period: each day's bucket index, and the buckets' starts."""

    index_of_day: Ints  # by day ordinal - base
    starts: list[date]

    @classmethod
    def of(cls, base: int, length: int, period: Period, granularity: Granularity) -> _Buckets:
        index = np.zeros(length, dtype=np.int64)
        parts = buckets(period, granularity)
        for i, bucket in enumerate(parts):
            index[bucket.start.toordinal() - base : bucket.end.toordinal() - base + 1] = i
        return cls(index, [b.start for b in parts])

    def distinct(self, days: Ints, users: Ints, base: int) -> dict[date, int]:
        """Distinct users per bucket: unique (bucket, user) pairs, counted per bucket."""
        if users.size == 0:
            return {}
        span = int(users.max()) + 1
        keys = np.sort(self.index_of_day[days - base] * span + users)
        first = np.ones(keys.size, dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        counts = np.bincount(keys[first] // span, minlength=len(self.starts))
        return {start: int(n) for start, n in zip(self.starts, counts, strict=True) if n}


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
            (g, of_previous): _Buckets.of(base, last - base + 1, period, g)
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
            counts.totals[of_previous] = _distinct(scope_users[mask])
        for (granularity, of_previous), table in tables.items():
            mask = ~in_current if of_previous else in_current
            counts.buckets[(granularity, of_previous)] = table.distinct(
                scope_days[mask], scope_users[mask], base
            )
        result.append(counts)
    return result
