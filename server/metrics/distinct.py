"""Exact distinct users over any period and any set of workshops, from the ids
active per workshop and day (never a sum of daily distinct counts).

Works on a columnar copy of the day rollup kept twice: per workshop (rows sorted
by workshop, then day, so one workshop's period is a slice found by binary
search: a scope costs what its own rows cost, never a sort of the importer's
ids) and importer-wide (each (day, user) once, sorted by day, for scopes that
cover every workshop with activity). A distinct count is then a bitmap or a
small sort — milliseconds where SQL's count(DISTINCT) over unnested arrays took
most of a dashboard's time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from server.metrics.periods import Period
from server.metrics.series import Granularity, buckets

Ints = npt.NDArray[np.int64]
Ids = npt.NDArray[np.int32]
"""Day ordinals and user ids, stored in 32 bits: half the memory of a large
importer's copy (ordinals and PostgreSQL integer ids both fit)."""

AnyInts = npt.NDArray[np.signedinteger[Any]]

_NONE: Ids = np.zeros(0, dtype=np.int32)


def _sorted_unique(values: Ints) -> Ints:
    """``np.unique`` by a sort: numpy 2's hashing ``unique`` took seconds on an
    importer's (day, user) keys where the sort takes tens of milliseconds."""
    ordered = np.sort(values)
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]


@dataclass(frozen=True)
class ActivityIds:
    """One kind of activity of one importer (days as proleptic ordinals).

    Attributes:
        workshop_ids: the workshops with any row, ascending.
        starts: where each workshop's rows begin in ``days``/``users`` (one more
            entry than ``workshop_ids``: the end).
        days, users: a row per (workshop, day, user), sorted by workshop, then day.
        all_days, all_users: each (day, user) over every workshop, by day: once
            (``of``), or once per workshop active that day (``of_days``: the
            counts union them anyway, and no sort of every id is needed).
    """

    workshop_ids: Ints
    starts: Ints
    days: Ids
    users: Ids
    all_days: Ids
    all_users: Ids

    @classmethod
    def empty(cls) -> ActivityIds:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, np.zeros(1, dtype=np.int64), _NONE, _NONE, _NONE, _NONE)

    @classmethod
    def of(cls, days: AnyInts, workshops: AnyInts, users: AnyInts) -> ActivityIds:
        """From one row per (day, workshop, user), in any order."""
        if users.size == 0:
            return cls.empty()
        order = np.lexsort((days, workshops))
        workshops = workshops[order]
        workshop_ids, first = np.unique(workshops.astype(np.int64), return_index=True)
        starts = np.append(first, workshops.size).astype(np.int64)
        span = int(users.max()) + 1
        pairs = _sorted_unique(days.astype(np.int64) * span + users)
        return cls(
            workshop_ids,
            starts,
            days[order].astype(np.int32),
            users[order].astype(np.int32),
            (pairs // span).astype(np.int32),
            (pairs % span).astype(np.int32),
        )

    @classmethod
    def of_days(cls, days: Ids, workshops: Ids, users: Ids, *, whole: bool = True) -> ActivityIds:
        """From one row per (day, workshop, user) ordered by day (the days'
        blocks one after the other): the rows are put in workshop order by a
        stable counting sort, O(n), where ``of`` sorts every id. ``whole``:
        keep the importer-wide rows too (else ``all_*`` stay empty: the
        caller reads whole scopes from the rows)."""
        if users.size == 0:
            return cls.empty()
        counts_by_id = np.bincount(workshops)
        workshop_ids = np.flatnonzero(counts_by_id).astype(np.int64)
        rank_of = np.cumsum(counts_by_id > 0) - 1
        # 16-bit keys sort by radix (stable, linear); more workshops: timsort
        small = len(workshop_ids) <= np.iinfo(np.int16).max
        rank = rank_of[workshops].astype(np.int16 if small else np.int64)
        order = np.argsort(rank, kind="stable")
        starts = np.zeros(len(workshop_ids) + 1, dtype=np.int64)
        np.cumsum(counts_by_id[workshop_ids], out=starts[1:])
        return cls(
            workshop_ids,
            starts,
            days[order].astype(np.int32),
            users[order].astype(np.int32),
            days.astype(np.int32) if whole else _NONE,
            users.astype(np.int32) if whole else _NONE,
        )

    def replaced(self, gone: AnyInts, added: ActivityIds) -> ActivityIds:
        """These ids with every row of the days ``gone`` (ordinals) dropped and
        ``added``'s rows merged in, each workshop's at its place: a few copies
        of the arrays, not a sort of every id (a processing run rewrites a few
        days of hundreds)."""
        if not self.users.size:
            return added
        ids = np.union1d(self.workshop_ids, added.workshop_ids)
        old_at = np.searchsorted(ids, self.workshop_ids)
        new_at = np.searchsorted(ids, added.workshop_ids)
        drop = np.flatnonzero(np.isin(self.days, gone))
        counts = np.zeros(len(ids), dtype=np.int64)
        counts[old_at] = np.diff(self.starts) - np.bincount(
            np.searchsorted(self.starts, drop, "right") - 1, minlength=len(self.workshop_ids)
        )
        keep = np.ones(self.users.size, dtype=bool)
        keep[drop] = False
        days, users = self.days[keep], self.users[keep]
        kept_starts = np.concatenate(([0], np.cumsum(counts)))
        positions = [
            kept_starts[w]
            + np.searchsorted(
                days[kept_starts[w] : kept_starts[w + 1]],
                added.days[added.starts[j] : added.starts[j + 1]],
                "right",
            )
            for j, w in enumerate(new_at.tolist())
        ]
        at = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
        counts[new_at] += np.diff(added.starts)
        present = counts > 0
        whole_keep = np.ones(self.all_days.size, dtype=bool)
        for day in np.asarray(gone).tolist():
            lo, hi = np.searchsorted(self.all_days, [day, day + 1])
            whole_keep[lo:hi] = False
        kept_days = self.all_days[whole_keep]
        day_at = np.searchsorted(kept_days, added.all_days, "right")
        return ActivityIds(
            ids[present],
            np.concatenate(([0], np.cumsum(counts[present]))).astype(np.int64),
            np.insert(days, at, added.days),
            np.insert(users, at, added.users),
            np.insert(kept_days, day_at, added.all_days),
            np.insert(self.all_users[whole_keep], day_at, added.all_users),
        )

    @property
    def nbytes(self) -> int:
        return sum(
            a.nbytes
            for a in (
                self.workshop_ids,
                self.starts,
                self.days,
                self.users,
                self.all_days,
                self.all_users,
            )
        )

    def window(self, scope: Sequence[int], first: int, last: int) -> tuple[Ids, Ids]:
        """(days, users) of ``scope``'s rows from day ``first`` to ``last`` (ordinals)."""
        present = self.workshop_ids
        positions = np.searchsorted(present, np.asarray(scope, dtype=np.int64))
        found = positions < present.size
        found[found] = present[positions[found]] == np.asarray(scope, dtype=np.int64)[found]
        if int(np.count_nonzero(found)) == present.size > 0:
            # every workshop with activity: the importer-wide copy, already deduplicated
            lo = int(np.searchsorted(self.all_days, first, "left"))
            hi = int(np.searchsorted(self.all_days, last, "right"))
            return self.all_days[lo:hi], self.all_users[lo:hi]
        day_parts, user_parts = [], []
        for position in np.unique(positions[found]):
            start, end = int(self.starts[position]), int(self.starts[position + 1])
            block = self.days[start:end]
            lo = start + int(np.searchsorted(block, first, "left"))
            hi = start + int(np.searchsorted(block, last, "right"))
            day_parts.append(self.days[lo:hi])
            user_parts.append(self.users[lo:hi])
        if not day_parts:
            return _NONE, _NONE
        return np.concatenate(day_parts), np.concatenate(user_parts)


@dataclass
class DistinctCounts:
    """Exact distinct users for a scope: over each whole period
    (``totals[previous?]``) and per series bucket (``buckets[(granularity, previous?)]``)."""

    totals: dict[bool, int] = field(default_factory=lambda: {False: 0, True: 0})
    buckets: Mapping[tuple[Granularity, bool], dict[date, int]] = field(default_factory=dict)


def _distinct(users: Ids) -> int:
    """How many different ids: a sort for a few ids, else a bitmap over the dense
    ids (O(n); np.unique sorts and was ~60x slower on an importer's window)."""
    if users.size == 0:
        return 0
    if users.size < 4096:
        return int(np.unique(users).size)
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

    def distinct(self, days: Ids, users: Ids, base: int) -> dict[date, int]:
        """Distinct users per bucket: unique (bucket, user) pairs, counted per bucket."""
        if users.size == 0:
            return {}
        span = int(users.max()) + 1
        keys = np.sort(self.index_of_day[days - base] * span + users)
        first = np.ones(keys.size, dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        counts = np.bincount(keys[first] // span, minlength=len(self.starts))
        return {start: int(n) for start, n in zip(self.starts, counts, strict=True) if n}


class Windowed(Protocol):
    """Ids a distinct count can read (``ActivityIds``, or those per month)."""

    def window(self, scope: Sequence[int], first: int, last: int) -> tuple[Ids, Ids]: ...


BucketKey = tuple[Granularity, bool]


class _Tables:
    """The bucket tables of one request's periods, each built when first needed."""

    def __init__(self, base: int, length: int, current: Period, previous: Period) -> None:
        self.base, self.length = base, length
        self.periods = {False: current, True: previous}
        self._built: dict[BucketKey, _Buckets] = {}

    def __getitem__(self, key: BucketKey) -> _Buckets:
        table = self._built.get(key)
        if table is None:
            granularity, of_previous = key
            period = self.periods[of_previous]
            table = _Buckets.of(self.base, self.length, period, granularity)
            self._built[key] = table
        return table


KEYS: tuple[BucketKey, ...] = tuple((g, p) for g in Granularity for p in (False, True))


class _ScopeBuckets(Mapping[BucketKey, dict[date, int]]):
    """One scope's distinct users per bucket, counted when a series asks: a
    dashboard draws one or two of the six (granularity, period) series, and each
    costs a sort of the scope's ids (all six were most of a daily dashboard's time)."""

    def __init__(self, tables: _Tables, days: Ids, users: Ids, masks: dict[bool, Any]) -> None:
        self._tables, self._days, self._users, self._masks = tables, days, users, masks
        self._counted: dict[BucketKey, dict[date, int]] = {}

    def __getitem__(self, key: BucketKey) -> dict[date, int]:
        found = self._counted.get(key)
        if found is None:
            table = self._tables[key]
            mask = self._masks[key[1]]
            found = table.distinct(self._days[mask], self._users[mask], self._tables.base)
            self._counted[key] = found
        return found

    def __iter__(self) -> Iterator[BucketKey]:
        return iter(KEYS)

    def __len__(self) -> int:
        return len(KEYS)


def count_distinct(
    ids: Windowed,
    scopes: Sequence[Sequence[int]],
    current: Period,
    previous: Period,
    *,
    with_buckets: bool,
) -> list[DistinctCounts]:
    """Distinct users per scope over ``current`` and ``previous`` (and per
    day/week/month bucket of each when ``with_buckets``, counted when read)."""
    base, last = previous.start.toordinal(), current.end.toordinal()
    first_current, last_previous = current.start.toordinal(), previous.end.toordinal()
    tables = _Tables(base, last - base + 1, current, previous)
    result = []
    for scope in scopes:
        scope_days, scope_users = ids.window(scope, base, last)
        # a previous period need not end the day before the current one starts
        # (CURRENT_MONTH compares with the same days of the month before)
        masks = {False: scope_days >= first_current, True: scope_days <= last_previous}
        counts = DistinctCounts()
        for of_previous, mask in masks.items():
            counts.totals[of_previous] = _distinct(scope_users[mask])
        if with_buckets:
            counts.buckets = _ScopeBuckets(tables, scope_days, scope_users, masks)
        result.append(counts)
    return result
