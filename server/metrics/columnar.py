"""An importer's day rollups held in process as columns (workshops x days per
column, summed cumulatively along the days), so what a read costs follows the
scope and period asked for, not the importer's size: a period total is two
lookups per workshop, a scope's total one vectorised sum, a whole importer's
total two lookups in a row summed over every workshop in advance.

Counts are kept as exact integers (the cumulative sums in uint16 when no day is
negative and every sum fits, else int32 when every one fits, else int64), so
every answer equals the database's ``sum``. A float
column whose every value is integral is kept the same way; one that is not is
kept as raw float64 days summed per request (its sums then agree with the
database's up to float rounding, whose own summing order is not fixed either).

A row is a workshop (``workshop_day``) or, for the partner rollups, one
partner's combination of lead-filter dimensions; ``workshops`` names the row
ids either way. Built once per data version (``DayColumnsBuilder``) and never
changed after."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from server.metrics.daytable import DayTable
from server.metrics.periods import Period

IntArray = npt.NDArray[np.int64]
Array = npt.NDArray[Any]

_EXACT_FLOAT = float(2**53)
"""Integral floats below this add up exactly, in float64 and in int64 alike."""

_INT32 = np.iinfo(np.int32)
_UINT16 = np.iinfo(np.uint16)


@dataclass(frozen=True)
class _Column:
    """One rollup column: ``cumulative`` (rows x days+1, integers; column 0 is 0)
    and its importer-wide row, or ``raw`` float days (rows x days) and theirs."""

    cumulative: Array | None
    total_cumulative: IntArray | None
    raw: Array | None
    total_raw: Array | None
    floating: bool  # presented as a float (the database column is one)

    @property
    def nbytes(self) -> int:
        arrays = (self.cumulative, self.total_cumulative, self.raw, self.total_raw)
        return sum(a.nbytes for a in arrays if a is not None)


class DayColumns:
    """One importer's day rollups as of one data version (read-only)."""

    def __init__(
        self,
        columns: Sequence[str],
        first_day: int,
        days: int,
        workshops: IntArray,
        parts: Sequence[_Column],
        days_with: Mapping[str, _Column] | None = None,
    ) -> None:
        self.columns = tuple(columns)
        self.first_day = first_day  # ordinal of the first day held
        self.days = days
        self.workshops = workshops  # sorted workshop ids: row i holds workshops[i]
        self._parts = tuple(parts)
        self._days_with = dict(days_with or {})  # per column: days with a value > 0

    @property
    def nbytes(self) -> int:
        parts = (*self._parts, *self._days_with.values())
        return self.workshops.nbytes + sum(p.nbytes for p in parts)

    def raw_days(self, column: str) -> Array:
        """The column's value per row and day (rows x days), as the rollup holds them."""
        part = self._parts[self.columns.index(column)]
        if part.cumulative is not None:
            return np.diff(part.cumulative, axis=1)
        assert part.raw is not None
        return part.raw

    def with_days(self, days: IntArray, values: Mapping[str, Array]) -> DayColumns | None:
        """This copy with the values of ``days`` (sorted ordinals) replaced by
        ``values[column]`` (rows x days), the cumulative sums moved by the
        difference from each day on: a refresh after a run that rewrote a few
        days costs a copy of the arrays, not a rebuild. None when that does not
        hold them (a day before the first, an integral column given fractions,
        a sum beyond 32 bits): then build anew."""
        offsets = days - self.first_day
        if not len(days) or offsets[0] < 0:
            return None
        length = max(self.days, int(offsets[-1]) + 1)
        parts = []
        for c, part in enumerate(self._parts):
            given = np.asarray(values[self.columns[c]])
            moved = _moved(part, offsets, given, length)
            if moved is None:
                return None
            parts.append(moved)
        days_with = {}
        for name, part in self._days_with.items():
            given = (np.asarray(values[name]) > 0).astype(np.int64)
            moved = _moved(part, offsets, given, length)
            if moved is None:
                return None
            days_with[name] = moved
        return DayColumns(self.columns, self.first_day, length, self.workshops, parts, days_with)

    def _edges(self, period: Period) -> tuple[int, int]:
        """The period as [start, end) indexes into the held days, clipped."""
        start = min(max(period.start.toordinal() - self.first_day, 0), self.days)
        end = min(max(period.end.toordinal() - self.first_day + 1, 0), self.days)
        return start, max(start, end)

    def _rows(self, scope: Sequence[int]) -> tuple[IntArray, bool]:
        """The rows of the scope's workshops that hold data, and whether they
        are every row (then the importer-wide row answers)."""
        if not len(self.workshops) or not len(scope):
            return np.zeros(0, dtype=np.int64), False
        ids = np.unique(np.asarray(scope, dtype=np.int64))
        at = np.minimum(np.searchsorted(self.workshops, ids), len(self.workshops) - 1)
        rows = at[self.workshops[at] == ids]
        return rows, len(rows) == len(self.workshops)

    def _rows_of_all(self, scopes: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
        """The rows holding data of every scope's (distinct) workshops, and the
        index of the scope each belongs to, in scope order."""
        lengths = np.fromiter((len(s) for s in scopes), np.int64, len(scopes))
        ids = np.fromiter(chain.from_iterable(scopes), np.int64, int(lengths.sum()))
        owner = np.repeat(np.arange(len(scopes), dtype=np.int64), lengths)
        if not len(self.workshops) or not len(ids):
            return ids[:0], owner[:0]
        if lengths.max() > 1:
            # a workshop named twice in one scope counts once (as a set of workshops)
            pairs = np.unique(np.stack([owner, ids]), axis=1)
            owner, ids = pairs[0], pairs[1]
        at = np.minimum(np.searchsorted(self.workshops, ids), len(self.workshops) - 1)
        hit = self.workshops[at] == ids
        return at[hit], owner[hit]

    def totals(
        self, scopes: Sequence[Sequence[int]], periods: Sequence[Period]
    ) -> list[list[tuple[float, ...]]]:
        """Per scope and period, every column summed over the period's days
        (Python ints for integer columns, floats for float ones)."""
        ints, floats = self.total_arrays(scopes, periods)
        as_int = ints.tolist()
        as_float = floats.tolist()
        exact = [c for c, part in enumerate(self._parts) if part.total_cumulative is not None]
        floating = [c for c, part in enumerate(self._parts) if part.floating]
        result = []
        for i in range(len(scopes)):
            per_period = []
            for p in range(len(periods)):
                values = as_float[i][p]
                for c in exact:
                    values[c] = as_int[i][p][c]
                for c in floating:
                    values[c] = float(values[c])
                per_period.append(tuple(values))
            result.append(per_period)
        return result

    def exact(self, column: int) -> bool:
        """Whether ``column``'s sums are exact integers (in ``total_arrays``' ints)."""
        return self._parts[column].total_cumulative is not None

    def floating(self, column: int) -> bool:
        """Whether ``column`` is presented as a float (the database column is one)."""
        return self._parts[column].floating

    def total_arrays(
        self,
        scopes: Sequence[Sequence[int]],
        periods: Sequence[Period],
        only: Collection[str] | None = None,
    ) -> tuple[IntArray, Array]:
        """What ``totals`` answers, as two (scope, period, column) arrays: the
        sums of exact columns in the int64 one, of the others in the float64 one
        (each zero where the other holds the column), for vectorised formulas.
        ``only``: the columns needed (the others are left 0)."""
        edges = [self._edges(p) for p in periods]
        # every scope's rows at once: (scope, row) pairs in scope order
        rows, owner = self._rows_of_all(scopes)
        held = np.bincount(owner, minlength=len(scopes))
        whole = np.flatnonzero(held == len(self.workshops)) if len(self.workshops) else held[:0]
        keep = held[owner] != len(self.workshops)  # whole scopes read the importer-wide row
        flat, counts = rows[keep], np.where(held == len(self.workshops), 0, held)
        bounds = np.zeros(len(scopes) + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        shape = (len(scopes), len(periods), len(self.columns))
        ints = np.zeros(shape, dtype=np.int64)
        floats = np.zeros(shape, dtype=np.float64)
        for c, part in enumerate(self._parts):
            if only is not None and self.columns[c] not in only:
                continue
            into = ints if part.total_cumulative is not None else floats
            for p, (start, end) in enumerate(edges):
                if len(flat):
                    each = _row_sums(part, flat, start, end)
                    summed = np.zeros(len(each) + 1, dtype=each.dtype)
                    np.cumsum(each, out=summed[1:])
                    into[:, p, c] = summed[bounds[1:]] - summed[bounds[:-1]]
                into[whole, p, c] = _period_sum(part, start, end)
        return ints, floats

    def activity(
        self, workshop_ids: Sequence[int], period: Period, counted: str, summed: str
    ) -> dict[int, tuple[int, int, date | None]]:
        """Per workshop with data: the days of ``period`` on which ``counted`` is
        above 0, ``summed`` summed over the period, and the last such day."""
        days_with = self._days_with[counted]
        total = self._parts[self.columns.index(summed)]
        assert days_with.cumulative is not None and total.cumulative is not None
        ids = np.unique(np.asarray(workshop_ids, dtype=np.int64))
        if not len(self.workshops) or not len(ids):
            return {}
        at = np.minimum(np.searchsorted(self.workshops, ids), len(self.workshops) - 1)
        rows = at[self.workshops[at] == ids]
        start, end = self._edges(period)
        seen = days_with.cumulative[rows, start : end + 1].astype(np.int64)
        active = seen[:, -1] - seen[:, 0]
        sums = _row_sums(total, rows, start, end)
        # the last active day: the first edge whose count already reaches the total
        reached = (seen < seen[:, -1:]).sum(axis=1) - 1
        return {
            int(self.workshops[r]): (
                n,
                s,
                date.fromordinal(self.first_day + start + k) if n else None,
            )
            for r, n, s, k in zip(
                rows.tolist(), active.tolist(), sums.tolist(), reached.tolist(), strict=True
            )
        }

    def daily(self, scope: Sequence[int], first: date, last: date) -> Array:
        """The scope's columns per day from ``first`` to ``last`` (columns x days;
        days outside the held range are 0). Integral sums stay exact in float64."""
        length = last.toordinal() - first.toordinal() + 1
        out = np.zeros((len(self.columns), max(length, 0)), dtype=np.float64)
        start, end = self._edges(Period(first, last))
        if start == end:
            return out
        offset = self.first_day + start - first.toordinal()
        rows, whole = self._rows(scope)
        if not whole and not len(rows):
            return out
        for c, part in enumerate(self._parts):
            out[c, offset : offset + end - start] = _days_of(
                part, None if whole else rows, start, end
            )
        return out


def _grown(held: Array, length: int, edge: bool) -> Array:
    """A copy of ``held`` (rows x n) with room for ``length`` days: cumulative
    arrays (``edge``) carry their last sum on, raw days are 0."""
    extra = length + (1 if edge else 0) - held.shape[-1]
    if extra <= 0:
        return held.copy()
    pad = [(0, 0)] * (held.ndim - 1) + [(0, extra)]
    return np.pad(held, pad, mode="edge" if edge else "constant")


def _moved(part: _Column, offsets: IntArray, given: Array, length: int) -> _Column | None:
    """One column with the days at ``offsets`` set to ``given`` (rows x days)."""
    if part.cumulative is not None:
        assert part.total_cumulative is not None
        if part.floating and not _integral(given):
            return None
        cumulative = _grown(part.cumulative, length, edge=True)
        before = cumulative[:, offsets + 1].astype(np.int64) - cumulative[:, offsets]
        delta = given.astype(np.int64) - before
        running = np.cumsum(delta, axis=1)
        if not _still_fits(cumulative, given, delta):
            return None
        total = _grown(part.total_cumulative, length, edge=True)
        total_running = np.cumsum(delta.sum(axis=0))
        ends = [*offsets[1:].tolist(), length]
        for j, (start, end) in enumerate(zip(offsets.tolist(), ends, strict=True)):
            segment = cumulative[:, start + 1 : end + 1]
            np.add(segment, running[:, j : j + 1], out=segment, casting="unsafe")
            total[start + 1 : end + 1] += total_running[j]
        return _Column(cumulative, total, None, None, part.floating)
    assert part.raw is not None and part.total_raw is not None
    raw = _grown(part.raw, length, edge=False)
    raw[:, offsets] = given
    total_raw = _grown(part.total_raw, length, edge=False)
    total_raw[offsets] = raw[:, offsets].sum(axis=0)
    return _Column(None, None, raw, total_raw, part.floating)


def _period_sum(part: _Column, start: int, end: int) -> int | float:
    """The importer-wide sum over [start, end)."""
    if part.total_cumulative is not None:
        return int(part.total_cumulative[end] - part.total_cumulative[start])
    assert part.total_raw is not None
    return float(part.total_raw[start:end].sum())


def _row_sums(part: _Column, rows: IntArray, start: int, end: int) -> Array:
    """Per row of ``rows``, the column summed over [start, end)."""
    if part.cumulative is not None:
        upto: Array = part.cumulative[rows, end].astype(np.int64)
        difference: Array = upto - part.cumulative[rows, start]
        return difference
    assert part.raw is not None
    sums: Array = part.raw[rows, start:end].sum(axis=1)
    return sums


def _days_of(part: _Column, rows: IntArray | None, start: int, end: int) -> Array:
    """The column per day of [start, end), summed over ``rows`` (None: every row)."""
    if part.cumulative is not None:
        if rows is None:
            assert part.total_cumulative is not None
            edge = part.total_cumulative[start : end + 1]
        else:
            edge = part.cumulative[rows, start : end + 1].sum(axis=0, dtype=np.int64)
        return np.diff(edge)
    if rows is None:
        assert part.total_raw is not None
        return part.total_raw[start:end]
    assert part.raw is not None
    summed: Array = part.raw[rows, start:end].sum(axis=0)
    return summed


class DayColumnsBuilder:
    """Fills an importer's columns part by part (workshops in chunks), then
    ``build`` sums them along the days.

    Args:
        columns: the rollup columns, in the order answers list them.
        floating: those stored as floats by the database.
        workshops: every workshop id that has rows (any order).
        first_day: the ordinal of the earliest day with a row.
        days: how many days from ``first_day`` to the latest day with a row.
        counted: columns whose days with a value above 0 are counted too.
    """

    def __init__(
        self,
        columns: Sequence[str],
        floating: frozenset[str],
        workshops: Sequence[int] | IntArray,
        first_day: int,
        days: int,
        counted: Sequence[str] = (),
    ) -> None:
        self.columns = tuple(columns)
        self.counted = tuple(counted)
        self.floating = tuple(c in floating for c in self.columns)
        self.workshops: IntArray = np.unique(np.asarray(workshops, dtype=np.int64))
        self.first_day = first_day
        self.days = days
        shape = (len(self.workshops), days)
        # per-day values: int32 holds any day's count (checked on add)
        self._values: list[Array] = [
            np.zeros(shape, dtype=np.float64 if f else np.int32) for f in self.floating
        ]

    @staticmethod
    def estimate(columns: int, workshops: int, days: int) -> int:
        """The bytes a build needs at least (int32 cumulative days per column)."""
        return columns * workshops * (days + 1) * 4

    def add(
        self, workshop_ids: IntArray, day_offsets: IntArray, values: Mapping[str, Array]
    ) -> None:
        """Per-day rows: ``values[column][k]`` on day ``day_offsets[k]`` (from the
        first day) of ``workshop_ids[k]``."""
        rows = np.searchsorted(self.workshops, workshop_ids)
        if len(rows) and (
            rows.max() >= len(self.workshops) or (self.workshops[rows] != workshop_ids).any()
        ):
            raise ValueError("a row of a workshop not announced to the builder")
        if len(day_offsets) and (day_offsets.min() < 0 or day_offsets.max() >= self.days):
            raise ValueError("a row outside the announced days")
        for c, column in enumerate(self.columns):
            given = np.asarray(values[column])
            if (
                not self.floating[c]
                and len(given)
                and (given.min() < _INT32.min or given.max() > _INT32.max)
            ):
                raise ValueError(f"{column}: a day's value beyond 32 bits")
            self._values[c][rows, day_offsets] = given

    def add_copy(self, old: DayColumns, rows: IntArray, keep: Array) -> None:
        """The values of an older copy: its row ``i`` is this builder's row
        ``rows[i]``; only the days (ordinals) in ``keep`` are taken (the others
        are replaced or gone)."""
        lo, hi = (
            max(old.first_day, self.first_day),
            min(old.first_day + old.days, self.first_day + self.days),
        )
        if hi <= lo or not len(rows):
            return
        days = np.arange(lo, hi)
        kept = days[np.isin(days, keep)]
        if not len(kept):
            return
        source, target = kept - old.first_day, kept - self.first_day
        for c, column in enumerate(self.columns):
            values = old.raw_days(column)[:, source]
            self._values[c][rows[:, None], target[None, :]] = values

    def build(self) -> DayColumns:
        days_with = {
            name: _cumulative((self._values[self.columns.index(name)] > 0).astype(np.int32), False)
            for name in self.counted
        }
        parts = [self._column(c) for c in range(len(self.columns))]
        self._values = []
        return DayColumns(self.columns, self.first_day, self.days, self.workshops, parts, days_with)

    def _column(self, c: int) -> _Column:
        values = self._values[c]
        floating = self.floating[c]
        if floating and not _integral(values):
            return _Column(None, None, values, values.sum(axis=0), floating)
        return _cumulative(values, floating)


def _cumulative(values: Array, floating: bool) -> _Column:
    """Integral day values (rows x days) summed along the days."""
    rows, days = values.shape
    cumulative = np.zeros((rows, days + 1), dtype=np.int64)
    np.cumsum(values, axis=1, out=cumulative[:, 1:], dtype=np.int64)
    total = np.zeros(days + 1, dtype=np.int64)
    np.cumsum(values.sum(axis=0, dtype=np.int64), out=total[1:])
    return _Column(_narrowest(values, cumulative), total, None, None, floating)


def _narrowest(values: Array, cumulative: IntArray) -> Array:
    """The cumulative sums in the smallest type that holds them: uint16 when no
    day is negative (the sums then only rise, so any difference of two fits
    too), int32, else int64 as summed. Most counts of a workshop or partner
    row over two years stay below 65,536: a quarter of int64's bytes."""
    if not cumulative.size:
        return cumulative.astype(np.int32)
    low, high = int(cumulative.min()), int(cumulative.max())
    if (not values.size or values.min() >= 0) and high <= _UINT16.max:
        return cumulative.astype(np.uint16)
    if low >= _INT32.min and high <= _INT32.max:
        return cumulative.astype(np.int32)
    return cumulative


def _still_fits(cumulative: Array, given: Array, delta: IntArray) -> bool:
    """Whether ``cumulative`` (held narrower than int64) still holds its sums
    once moved by ``delta`` (the change of the days ``given`` replaces)."""
    if cumulative.dtype == np.int64 or not delta.size:
        return True
    if cumulative.dtype == np.uint16:
        # no day negative: each row's sums rise to its last, moved by its deltas
        ends = cumulative[:, -1].astype(np.int64) + delta.sum(axis=1)
        return bool(given.min() >= 0) and int(ends.max()) <= _UINT16.max
    reach = int(np.abs(delta).sum(axis=1).max())
    return max(abs(int(cumulative.max())), abs(int(cumulative.min()))) + reach <= _INT32.max


def _integral(values: Array) -> bool:
    """Every value a whole number whose sums stay exact (any sum of them too)."""
    if not values.size:
        return True
    magnitude = float(np.abs(values).sum())
    return bool(np.all(np.floor(values) == values)) and magnitude < _EXACT_FLOAT


class ColumnarDays(DayTable):
    """A scope's per-day sums over a span of days, as a day table: period sums
    and the ``{day: {column: value}}`` mapping that series draw are computed
    from the arrays when asked."""

    __slots__ = ("_first", "_values")

    def __init__(self, columns: Sequence[str], first: date, values: Array) -> None:
        super().__init__(columns)
        self._first = first.toordinal()
        self._values = values

    def totals(self, period: Period) -> dict[str, float]:
        found = self._totals.get(period)
        if found is None:
            length = self._values.shape[1]
            start = min(max(period.start.toordinal() - self._first, 0), length)
            end = min(max(period.end.toordinal() - self._first + 1, start), length)
            sums = self._values[:, start:end].sum(axis=1)
            found = self._totals[period] = {
                column: float(value) for column, value in zip(self.columns, sums, strict=True)
            }
        return found

    def per_day(self) -> Mapping[date, Mapping[str, float]]:
        if self._per_day is None:
            columns = self.columns
            self._per_day = {
                date.fromordinal(self._first + k): dict(zip(columns, day.tolist(), strict=True))
                for k, day in enumerate(self._values.T)
            }
        return self._per_day
