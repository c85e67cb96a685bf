"""Periods: the inclusive day ranges every metric is computed over, and their
previous periods (the trend's comparison range). Definitions: METRICS.md,
"Clock, periods and trends"."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from server.errors import BadUserInput

MAX_SPAN_DAYS = 1096
"""Longest custom period: three years, one of which may be a leap year."""

EARLIEST_DAY = date(1900, 1, 1)
"""No period starts earlier: no data can (ingest refuses older dates), and the
previous period of anything later stays far from ``date.min``."""


class Preset(StrEnum):
    LAST_7_DAYS = "LAST_7_DAYS"
    LAST_14_DAYS = "LAST_14_DAYS"
    LAST_30_DAYS = "LAST_30_DAYS"
    LAST_90_DAYS = "LAST_90_DAYS"
    LAST_365_DAYS = "LAST_365_DAYS"
    CURRENT_MONTH = "CURRENT_MONTH"
    CURRENT_QUARTER = "CURRENT_QUARTER"
    CURRENT_YEAR = "CURRENT_YEAR"
    CUSTOM = "CUSTOM"


_ROLLING_DAYS: dict[Preset, int] = {
    Preset.LAST_7_DAYS: 7,
    Preset.LAST_14_DAYS: 14,
    Preset.LAST_30_DAYS: 30,
    Preset.LAST_90_DAYS: 90,
    Preset.LAST_365_DAYS: 365,
}

# Calendar-to-date presets and the length of their unit in months.
_UNIT_MONTHS: dict[Preset, int] = {
    Preset.CURRENT_MONTH: 1,
    Preset.CURRENT_QUARTER: 3,
    Preset.CURRENT_YEAR: 12,
}


@dataclass(frozen=True)
class Period:
    """An inclusive range of days ``[start, end]`` (the API's ``from``/``to``)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def as_of(today: date) -> date:
    """The newest day a period may contain: data is processed daily, so yesterday."""
    return today - timedelta(days=1)


def is_calendar_to_date(preset: Preset | None) -> bool:
    return preset in _UNIT_MONTHS


def resolve_period(
    preset: Preset | None, start: date | None, end: date | None, *, as_of: date
) -> Period:
    """Turn a ``PeriodInput`` into a period, or say exactly what to fix.

    Args:
        preset: a preset; ``None`` or ``CUSTOM`` means ``start``/``end`` define it.
        start: ``period.from``; only with ``CUSTOM`` (or no preset).
        end: ``period.to``; only with ``CUSTOM`` (or no preset).
        as_of: the newest processed day (today - 1).

    Returns:
        The period. Presets end at ``as_of``.

    Raises:
        BadUserInput: a preset with from/to, a custom period missing a bound,
            from after to, from before 1900, to after as-of, or a span over
            three years.

    Example:
        >>> resolve_period(Preset.CURRENT_MONTH, None, None, as_of=date(2026, 11, 22))
        Period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 22))
    """
    if preset is not None and preset is not Preset.CUSTOM:
        if start is not None or end is not None:
            raise BadUserInput(
                f"period.preset {preset.value} takes no from/to "
                f"(got from={_show(start)}, to={_show(end)}); "
                "drop from/to, or use preset CUSTOM with both dates"
            )
        return _preset_period(preset, as_of)
    return _custom_period(start, end, as_of)


def _show(day: date | None) -> str:
    return "null" if day is None else day.isoformat()


def _preset_period(preset: Preset, as_of: date) -> Period:
    if preset in _ROLLING_DAYS:
        return Period(as_of - timedelta(days=_ROLLING_DAYS[preset] - 1), as_of)
    return Period(_unit_start(as_of, _UNIT_MONTHS[preset]), as_of)


def _custom_period(start: date | None, end: date | None, as_of: date) -> Period:
    if start is None or end is None:
        missing = " and ".join(
            name for name, value in (("period.from", start), ("period.to", end)) if value is None
        )
        verb = "are" if start is None and end is None else "is"
        raise BadUserInput(
            f"a custom period needs both period.from and period.to, but {missing} "
            f"{verb} missing (from={_show(start)}, to={_show(end)}); give both dates, "
            "or pick a preset"
        )
    if start > end:
        raise BadUserInput(
            f"period.from {start.isoformat()} is after period.to {end.isoformat()}; "
            "swap them so that from ≤ to"
        )
    if start < EARLIEST_DAY:
        raise BadUserInput(
            f"period.from {start.isoformat()} is before {EARLIEST_DAY.isoformat()}, "
            "earlier than any data can be; pick a later date"
        )
    if end > as_of:
        raise BadUserInput(
            f"period.to {end.isoformat()} is after the newest processed day "
            f"{as_of.isoformat()} (as-of = today - 1); pick a date on or before it"
        )
    period = Period(start, end)
    if period.days > MAX_SPAN_DAYS:
        raise BadUserInput(
            f"period {start.isoformat()} to {end.isoformat()} spans {period.days} days, "
            f"more than 3 years ({MAX_SPAN_DAYS} days); move period.from to "
            f"{(end - timedelta(days=MAX_SPAN_DAYS - 1)).isoformat()} or later"
        )
    return period


def previous_period(period: Period, preset: Preset | None) -> Period:
    """The range a trend compares with.

    The same number of days ending the day before ``period.start``, except for
    calendar-to-date presets: the same elapsed span of the previous month,
    quarter or year by calendar date, clamped to that unit's end (1-22 Nov
    compares with 1-22 Oct, 1-31 Mar with 1-28/29 Feb, Feb 29 with Feb 28).

    Example:
        >>> previous_period(Period(date(2026, 3, 1), date(2026, 3, 31)), Preset.CURRENT_MONTH)
        Period(start=datetime.date(2026, 2, 1), end=datetime.date(2026, 2, 28))
    """
    if preset in _UNIT_MONTHS:
        months = _UNIT_MONTHS[preset]
        return Period(_shift_months(period.start, -months), _shift_months(period.end, -months))
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=period.days - 1), end)


def _unit_start(day: date, months: int) -> date:
    """First day of the month/quarter/year (unit of ``months`` months) containing ``day``."""
    first_month = (day.month - 1) // months * months + 1
    return date(day.year, first_month, 1)


def _shift_months(day: date, months: int) -> date:
    """The same calendar date ``months`` months away, clamped to that month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
