"""Per-day sums of a scope's rollup components, read once and summed once per
period: a dashboard asks for many metrics over the same two periods, so the
totals are computed in one pass and shared, and the per-day mapping that series
need is only built when a series is drawn.

A dashboard that draws no series loads whole-period sums only (two rows per
scope instead of one per day); such a table refuses to answer for days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from server.metrics.periods import Period


class DayTable:
    """Rows of ``columns`` values per day (a missing day is all zeros)."""

    __slots__ = ("_has_days", "_per_day", "_totals", "columns", "rows")

    def __init__(self, columns: Sequence[str], rows: dict[date, Sequence[float]] | None = None):
        self.columns = tuple(columns)
        self.rows: dict[date, Sequence[float]] = rows if rows is not None else {}
        self._totals: dict[Period, dict[str, float]] = {}
        self._per_day: dict[date, dict[str, float]] | None = None
        self._has_days = True

    @classmethod
    def of_totals(
        cls, columns: Sequence[str], totals: Mapping[Period, Sequence[float]]
    ) -> DayTable:
        """A table of whole-period sums only (summed by the database)."""
        table = cls(columns)
        table._has_days = False
        for period, values in totals.items():
            table._totals[period] = dict(zip(table.columns, values, strict=True))
        return table

    def add(self, day: date, values: Sequence[float]) -> None:
        """Add ``values`` to the day's row (rows read in several parts)."""
        row = self.rows.get(day)
        self.rows[day] = (
            values if row is None else [a + b for a, b in zip(row, values, strict=True)]
        )

    def totals(self, period: Period) -> dict[str, float]:
        """Every column summed over ``period`` (computed once per period)."""
        found = self._totals.get(period)
        if found is None:
            self._require_days()
            sums = [0.0] * len(self.columns)
            start, end = period.start, period.end
            for day, values in self.rows.items():
                if start <= day <= end:
                    for i, value in enumerate(values):
                        sums[i] += value
            found = self._totals[period] = dict(zip(self.columns, sums, strict=True))
        return found

    def total(self, column: str, period: Period) -> float:
        return self.totals(period)[column]

    def per_day(self) -> Mapping[date, Mapping[str, float]]:
        """The rows as ``{day: {column: value}}``, for drawing series."""
        self._require_days()
        if self._per_day is None:
            self._per_day = {
                day: dict(zip(self.columns, values, strict=True))
                for day, values in self.rows.items()
            }
        return self._per_day

    def _require_days(self) -> None:
        if not self._has_days:
            raise LookupError("this table holds whole-period sums only; load it with its days")
