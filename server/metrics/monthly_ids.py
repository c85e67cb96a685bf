"""Distinct-count ids held per month (``ActivityIds`` each), so a refresh after
a processing run rebuilds the months that run touched — a few hundred
thousand ids — instead of copying every id of the importer; a window across
months joins its months' slices.

A scope naming every workshop of a month reads that month's rows whole (a mask
when the window cuts the month), so the months keep no importer-wide copy of
their ids (``all_*`` empty): half the memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from server.metrics.distinct import ActivityIds, Ids

_NONE: Ids = np.zeros(0, dtype=np.int32)


def month_of(ordinal: int) -> int:
    day = date.fromordinal(ordinal)
    return day.year * 12 + day.month - 1


def month_bounds(month: int) -> tuple[int, int]:
    """The first and last day (ordinals) of a month key."""
    year, index = divmod(month, 12)
    first = date(year, index + 1, 1).toordinal()
    after = date(year + (index + 1) // 12, (index + 1) % 12 + 1, 1).toordinal()
    return first, after - 1


@dataclass(frozen=True)
class MonthlyIds:
    """One kind of activity of one importer, one ``ActivityIds`` per month."""

    months: tuple[int, ...]  # ascending month keys (year * 12 + month - 1)
    parts: tuple[ActivityIds, ...]

    @classmethod
    def of_months(cls, parts: Mapping[int, ActivityIds]) -> MonthlyIds:
        kept = sorted(m for m, p in parts.items() if p.users.size)
        return cls(tuple(kept), tuple(parts[m] for m in kept))

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.parts)

    @property
    def users(self) -> Ids:
        """Every row's user (tests)."""
        return np.concatenate([p.users for p in self.parts]) if self.parts else _NONE

    def by_month(self) -> dict[int, ActivityIds]:
        return dict(zip(self.months, self.parts, strict=True))

    def window(self, scope: Sequence[int], first: int, last: int) -> tuple[Ids, Ids]:
        """(days, users) of ``scope``'s rows from day ``first`` to ``last`` (ordinals)."""
        lo, hi = month_of(first), month_of(last)
        wanted = np.asarray(scope, dtype=np.int64)
        pieces = []
        for month, part in zip(self.months, self.parts, strict=True):
            if not lo <= month <= hi:
                continue
            start, end = month_bounds(month)
            start, end = max(first, start), min(last, end)
            if not np.isin(part.workshop_ids, wanted).all():
                pieces.append(part.window(scope, start, end))
                continue
            days, users = part.days, part.users
            if start > month_bounds(month)[0] or end < month_bounds(month)[1]:
                inside = (days >= start) & (days <= end)
                days, users = days[inside], users[inside]
            pieces.append((days, users))
        if not pieces:
            return _NONE, _NONE
        if len(pieces) == 1:
            return pieces[0]
        return (
            np.concatenate([days for days, _ in pieces]),
            np.concatenate([users for _, users in pieces]),
        )
