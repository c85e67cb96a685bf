"""The plausible time range of a fact.

A visit in 9999 or in year 1 parses, but no dashboard can use it (the day
after 9999-12-31 does not exist) and it is always a sender's mistake, so a fact
whose time lies outside the window is a row error. Master data (a partner's
``partner_since``) is not a fact and is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from server.config import Settings, get_settings

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_MICROSECONDS = 86_400_000_000


@dataclass(frozen=True)
class FactWindow:
    """Facts may fall on ``earliest`` … ``latest`` (inclusive, UTC days for instants)."""

    earliest: date
    latest: date

    @classmethod
    def of(cls, settings: Settings | None = None) -> FactWindow:
        """From ``INSIGHTS_FACTS_EARLIEST`` to today (``INSIGHTS_TODAY`` or the UTC
        date) plus ``INSIGHTS_FACTS_AHEAD_DAYS``."""
        settings = settings or get_settings()
        today = settings.today or datetime.now(UTC).date()
        return cls(settings.facts_earliest, today + timedelta(days=settings.facts_ahead_days))

    @cached_property
    def _instants(self) -> tuple[int, int]:
        """[first, end) in staged µs; computed once, checked once per cell."""
        return _microseconds(self.earliest), _microseconds(self.latest) + _DAY_MICROSECONDS

    def check(self, value: object, cell: str) -> object:
        """``value`` parsed from ``cell`` by ``_values.day`` (a date) or
        ``_values.timestamp`` (µs since 1970-01-01 UTC), if inside the window."""
        if isinstance(value, date):
            inside = self.earliest <= value <= self.latest
        else:
            assert isinstance(value, int), "only days and timestamps have a window"
            low, high = self._instants
            inside = low <= value < high
        if not inside:
            raise ValueError(
                f"'{cell}' is outside {self.earliest.isoformat()} … {self.latest.isoformat()}, "
                "the range a fact may lie in: check the year"
            )
        return value


def _microseconds(day: date) -> int:
    return (datetime(day.year, day.month, day.day, tzinfo=UTC) - _EPOCH) // timedelta(
        microseconds=1
    )
