"""Periods and previous periods, against hand-counted calendars."""

from __future__ import annotations

from datetime import date

import pytest

from server.errors import BadUserInput
from server.metrics.periods import (
    MAX_SPAN_DAYS,
    Period,
    Preset,
    as_of,
    previous_period,
    resolve_period,
)

D = date
QUARTER = Preset.CURRENT_QUARTER
NOV_22 = D(2026, 11, 22)  # a Sunday; 2026 is not a leap year


def test_as_of_is_yesterday():
    assert as_of(D(2026, 11, 23)) == NOV_22
    assert as_of(D(2026, 1, 1)) == D(2025, 12, 31)
    assert as_of(D(2024, 3, 1)) == D(2024, 2, 29)


def test_period_days_and_dates():
    period = Period(D(2026, 2, 27), D(2026, 3, 2))
    assert period.days == 4
    assert period.dates() == [D(2026, 2, 27), D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 2)]
    assert Period(NOV_22, NOV_22).days == 1
    assert D(2026, 3, 1) in period
    assert D(2026, 3, 3) not in period


@pytest.mark.parametrize(
    ("preset", "start", "days"),
    [
        (Preset.LAST_7_DAYS, D(2026, 11, 16), 7),
        (Preset.LAST_14_DAYS, D(2026, 11, 9), 14),
        (Preset.LAST_30_DAYS, D(2026, 10, 24), 30),
        (Preset.LAST_90_DAYS, D(2026, 8, 25), 90),
        (Preset.LAST_365_DAYS, D(2025, 11, 23), 365),
        (Preset.CURRENT_MONTH, D(2026, 11, 1), 22),
        (Preset.CURRENT_QUARTER, D(2026, 10, 1), 31 + 22),
        # Jan..Oct of a common year = 304 days, plus 22.
        (Preset.CURRENT_YEAR, D(2026, 1, 1), 326),
    ],
)
def test_presets_end_at_as_of(preset, start, days):
    period = resolve_period(preset, None, None, as_of=NOV_22)
    assert period == Period(start, NOV_22)
    assert period.days == days


@pytest.mark.parametrize(
    ("as_of_day", "preset", "start"),
    [
        (D(2026, 3, 31), Preset.CURRENT_MONTH, D(2026, 3, 1)),
        (D(2026, 3, 31), Preset.CURRENT_QUARTER, D(2026, 1, 1)),
        (D(2026, 3, 31), Preset.CURRENT_YEAR, D(2026, 1, 1)),
        (D(2026, 3, 31), Preset.LAST_90_DAYS, D(2026, 1, 1)),  # 31 + 28 + 31
        (D(2026, 4, 1), Preset.CURRENT_QUARTER, D(2026, 4, 1)),
        (D(2026, 12, 31), Preset.CURRENT_QUARTER, D(2026, 10, 1)),
        (D(2024, 2, 29), Preset.CURRENT_MONTH, D(2024, 2, 1)),
        (D(2024, 2, 29), Preset.CURRENT_YEAR, D(2024, 1, 1)),
        # 2023-03-01 .. 2024-02-29 would be 366 days: the leap day takes one.
        (D(2024, 2, 29), Preset.LAST_365_DAYS, D(2023, 3, 2)),
        (D(2026, 1, 1), Preset.CURRENT_YEAR, D(2026, 1, 1)),
    ],
)
def test_preset_starts(as_of_day, preset, start):
    assert resolve_period(preset, None, None, as_of=as_of_day) == Period(start, as_of_day)


def test_custom_period_accepted():
    period = resolve_period(Preset.CUSTOM, D(2026, 10, 5), D(2026, 10, 11), as_of=NOV_22)
    assert period == Period(D(2026, 10, 5), D(2026, 10, 11))
    assert resolve_period(None, NOV_22, NOV_22, as_of=NOV_22) == Period(NOV_22, NOV_22)


def test_custom_span_limit_is_inclusive():
    # 2023-11-23 .. 2026-11-22 holds three years and one leap day: 1096 days.
    period = resolve_period(None, D(2023, 11, 23), NOV_22, as_of=NOV_22)
    assert period.days == MAX_SPAN_DAYS == 1096


def _message(preset, start, end, as_of_day=NOV_22):
    with pytest.raises(BadUserInput) as raised:
        resolve_period(preset, start, end, as_of=as_of_day)
    assert raised.value.code == "BAD_USER_INPUT"
    return raised.value.message


def test_preset_with_dates_is_rejected():
    assert _message(Preset.LAST_7_DAYS, D(2026, 11, 1), None) == (
        "period.preset LAST_7_DAYS takes no from/to (got from=2026-11-01, to=null); "
        "drop from/to, or use preset CUSTOM with both dates"
    )
    assert "CURRENT_MONTH takes no from/to (got from=null, to=2026-11-20)" in _message(
        Preset.CURRENT_MONTH, None, D(2026, 11, 20)
    )


def test_custom_needs_both_dates():
    assert _message(Preset.CUSTOM, D(2026, 11, 1), None) == (
        "a custom period needs both period.from and period.to, but period.to is missing "
        "(from=2026-11-01, to=null); give both dates, or pick a preset"
    )
    assert "but period.from is missing (from=null, to=2026-11-01)" in _message(
        None, None, D(2026, 11, 1)
    )
    assert "but period.from and period.to are missing (from=null, to=null)" in _message(
        None, None, None
    )


def test_from_after_to():
    assert _message(Preset.CUSTOM, D(2026, 11, 10), D(2026, 11, 1)) == (
        "period.from 2026-11-10 is after period.to 2026-11-01; swap them so that from ≤ to"
    )


def test_to_after_as_of():
    # today 2026-11-24, so the newest processed day is 2026-11-23.
    message = _message(None, D(2026, 11, 1), D(2026, 11, 30), as_of(D(2026, 11, 24)))
    assert message == (
        "period.to 2026-11-30 is after the newest processed day 2026-11-23 "
        "(as-of = today - 1); pick a date on or before it"
    )
    assert "period.to 2026-11-23 is after the newest processed day 2026-11-22" in _message(
        None, D(2026, 11, 1), D(2026, 11, 23)
    )


def test_span_over_three_years():
    assert _message(None, D(2023, 11, 22), NOV_22) == (
        "period 2023-11-22 to 2026-11-22 spans 1097 days, more than 3 years (1096 days); "
        "move period.from to 2023-11-23 or later"
    )


@pytest.mark.parametrize(
    ("preset", "current", "previous"),
    [
        # Rolling presets and custom ranges: same number of days, ending the day before.
        (Preset.LAST_7_DAYS, (D(2026, 11, 16), NOV_22), (D(2026, 11, 9), D(2026, 11, 15))),
        (Preset.LAST_30_DAYS, (D(2026, 10, 24), NOV_22), (D(2026, 9, 24), D(2026, 10, 23))),
        (Preset.LAST_365_DAYS, (D(2025, 11, 23), NOV_22), (D(2024, 11, 23), D(2025, 11, 22))),
        (Preset.LAST_90_DAYS, (D(2026, 1, 1), D(2026, 3, 31)), (D(2025, 10, 3), D(2025, 12, 31))),
        (Preset.CUSTOM, (D(2026, 3, 1), D(2026, 3, 3)), (D(2026, 2, 26), D(2026, 2, 28))),
        (None, (D(2024, 3, 1), D(2024, 3, 1)), (D(2024, 2, 29), D(2024, 2, 29))),
        # Calendar-to-date: the same elapsed span of the previous unit.
        (Preset.CURRENT_MONTH, (D(2026, 11, 1), NOV_22), (D(2026, 10, 1), D(2026, 10, 22))),
        (Preset.CURRENT_QUARTER, (D(2026, 10, 1), NOV_22), (D(2026, 7, 1), D(2026, 8, 22))),
        (Preset.CURRENT_YEAR, (D(2026, 1, 1), NOV_22), (D(2025, 1, 1), D(2025, 11, 22))),
        (Preset.CURRENT_MONTH, (D(2026, 1, 1), D(2026, 1, 9)), (D(2025, 12, 1), D(2025, 12, 9))),
        # ... clamped to the previous unit's end.
        (Preset.CURRENT_MONTH, (D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 2, 1), D(2026, 2, 28))),
        (Preset.CURRENT_MONTH, (D(2024, 3, 1), D(2024, 3, 31)), (D(2024, 2, 1), D(2024, 2, 29))),
        (Preset.CURRENT_MONTH, (D(2026, 5, 1), D(2026, 5, 31)), (D(2026, 4, 1), D(2026, 4, 30))),
        (Preset.CURRENT_MONTH, (D(2024, 2, 1), D(2024, 2, 29)), (D(2024, 1, 1), D(2024, 1, 29))),
        (QUARTER, (D(2026, 1, 1), D(2026, 3, 31)), (D(2025, 10, 1), D(2025, 12, 31))),
        (Preset.CURRENT_QUARTER, (D(2026, 4, 1), D(2026, 5, 31)), (D(2026, 1, 1), D(2026, 2, 28))),
        (QUARTER, (D(2024, 1, 1), D(2024, 2, 29)), (D(2023, 10, 1), D(2023, 11, 29))),
        (Preset.CURRENT_YEAR, (D(2024, 1, 1), D(2024, 2, 29)), (D(2023, 1, 1), D(2023, 2, 28))),
    ],
)
def test_previous_period(preset, current, previous):
    assert previous_period(Period(*current), preset) == Period(*previous)


def test_previous_period_of_each_preset_on_as_of():
    as_of_day = D(2026, 3, 31)
    expected = {
        Preset.LAST_7_DAYS: Period(D(2026, 3, 18), D(2026, 3, 24)),
        Preset.LAST_14_DAYS: Period(D(2026, 3, 4), D(2026, 3, 17)),
        Preset.LAST_30_DAYS: Period(D(2026, 1, 31), D(2026, 3, 1)),
        Preset.LAST_90_DAYS: Period(D(2025, 10, 3), D(2025, 12, 31)),
        Preset.LAST_365_DAYS: Period(D(2024, 4, 1), D(2025, 3, 31)),
        Preset.CURRENT_MONTH: Period(D(2026, 2, 1), D(2026, 2, 28)),
        Preset.CURRENT_QUARTER: Period(D(2025, 10, 1), D(2025, 12, 31)),
        Preset.CURRENT_YEAR: Period(D(2025, 1, 1), D(2025, 3, 31)),
    }
    actual = {
        preset: previous_period(resolve_period(preset, None, None, as_of=as_of_day), preset)
        for preset in expected
    }
    assert actual == expected
    assert set(expected) | {Preset.CUSTOM} == set(Preset)
