"""Buckets, per-bucket series and the previous period's aligned points."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from server.metrics.formulas import Distinct, Mean, NotAdditive, Ratio, Sum
from server.metrics.periods import Period, Preset, previous_period
from server.metrics.series import (
    Granularity,
    Point,
    PreviousPoint,
    align_previous,
    buckets,
    series,
    sum_components,
    value_over,
)

D = date
DAY, WEEK, MONTH = Granularity.DAY, Granularity.WEEK, Granularity.MONTH


def spans(periods):
    return [(p.start, p.end) for p in periods]


def test_day_buckets():
    assert spans(buckets(Period(D(2026, 2, 27), D(2026, 3, 1)), DAY)) == [
        (D(2026, 2, 27), D(2026, 2, 27)),
        (D(2026, 2, 28), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 1)),
    ]


def test_week_buckets_start_monday_clipped_to_period():
    # 2026-11-04 is a Wednesday, 2026-11-17 a Tuesday.
    assert spans(buckets(Period(D(2026, 11, 4), D(2026, 11, 17)), WEEK)) == [
        (D(2026, 11, 4), D(2026, 11, 8)),
        (D(2026, 11, 9), D(2026, 11, 15)),
        (D(2026, 11, 16), D(2026, 11, 17)),
    ]


def test_week_bucket_of_a_lone_sunday_and_across_new_year():
    assert spans(buckets(Period(D(2026, 11, 1), D(2026, 11, 9)), WEEK)) == [
        (D(2026, 11, 1), D(2026, 11, 1)),
        (D(2026, 11, 2), D(2026, 11, 8)),
        (D(2026, 11, 9), D(2026, 11, 9)),
    ]
    # 2025-12-29 is a Monday: the week runs into 2026.
    assert spans(buckets(Period(D(2025, 12, 27), D(2026, 1, 6)), WEEK)) == [
        (D(2025, 12, 27), D(2025, 12, 28)),
        (D(2025, 12, 29), D(2026, 1, 4)),
        (D(2026, 1, 5), D(2026, 1, 6)),
    ]


def test_month_buckets():
    assert spans(buckets(Period(D(2026, 1, 15), D(2026, 3, 10)), MONTH)) == [
        (D(2026, 1, 15), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 10)),
    ]
    assert spans(buckets(Period(D(2023, 12, 20), D(2024, 2, 29)), MONTH)) == [
        (D(2023, 12, 20), D(2023, 12, 31)),
        (D(2024, 1, 1), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 2, 29)),
    ]
    assert spans(buckets(Period(D(2026, 5, 7), D(2026, 5, 7)), MONTH)) == [
        (D(2026, 5, 7), D(2026, 5, 7)),
    ]


@pytest.mark.parametrize("granularity", list(Granularity))
def test_buckets_cover_every_day_without_gaps(granularity):
    for offset in range(0, 400, 37):
        period = Period(D(2025, 1, 1) + timedelta(days=offset), D(2026, 3, 3))
        parts = buckets(period, granularity)
        assert parts[0].start == period.start
        assert parts[-1].end == period.end
        for before, after in pairwise(parts):
            assert after.start == before.end + timedelta(days=1)
        assert sum(part.days for part in parts) == period.days


# Mon 2 Nov: 3 of 4 connected; Tue 3 Nov: 0 of 1; Mon 9 Nov: nothing eligible.
CONNECTION = {
    D(2026, 11, 2): {"connected": 3, "eligible": 4, "throughput": 6},
    D(2026, 11, 3): {"connected": 0, "eligible": 1, "throughput": 2},
    D(2026, 11, 9): {"connected": 0, "eligible": 0, "throughput": 1},
}
RATE = Ratio(("connected",), ("eligible",))
NOV_2_TO_15 = Period(D(2026, 11, 2), D(2026, 11, 15))


def test_ratio_series_per_day():
    points = series(CONNECTION, RATE, Period(D(2026, 11, 2), D(2026, 11, 4)), DAY)
    assert points == [
        Point(D(2026, 11, 2), 0.75),
        Point(D(2026, 11, 3), 0.0),
        Point(D(2026, 11, 4), None),  # no row: no denominator
    ]


def test_ratio_series_per_week_is_a_ratio_of_sums():
    # 3 / 5 = 0.6, not the mean of daily rates (0.75 + 0) / 2; week two has no eligible.
    assert series(CONNECTION, RATE, NOV_2_TO_15, WEEK) == [
        Point(D(2026, 11, 2), 0.6),
        Point(D(2026, 11, 9), None),
    ]


def test_count_series_has_zero_points_not_gaps():
    points = series(CONNECTION, Sum("throughput"), NOV_2_TO_15, DAY)
    assert len(points) == 14
    assert [p.value for p in points] == [6.0, 2.0, 0, 0, 0, 0, 0, 1.0, 0, 0, 0, 0, 0, 0]
    assert [p.date for p in points] == NOV_2_TO_15.dates()
    assert series(CONNECTION, Sum("throughput"), NOV_2_TO_15, MONTH) == [Point(D(2026, 11, 2), 9.0)]


def test_mean_series_weights_by_count():
    per_day = {
        D(2026, 11, 2): {"chat_response_seconds": 300.0, "chat_responses": 3},
        D(2026, 11, 3): {"chat_response_seconds": 20.0, "chat_responses": 1},
    }
    formula = Mean("chat_response_seconds", "chat_responses")
    # 320 s over 4 responses, not the mean of daily means (100 + 20) / 2.
    assert series(per_day, formula, NOV_2_TO_15, WEEK) == [
        Point(D(2026, 11, 2), 80.0),
        Point(D(2026, 11, 9), None),
    ]


def test_value_over_period_and_component_sums():
    assert sum_components(CONNECTION, RATE.components, NOV_2_TO_15) == {
        "connected": 3.0,
        "eligible": 5.0,
    }
    assert value_over(CONNECTION, RATE, NOV_2_TO_15) == 0.6
    # Days outside the period do not count.
    assert value_over(CONNECTION, Sum("throughput"), Period(D(2026, 11, 3), D(2026, 11, 8))) == 2.0


def test_distinct_series_must_come_from_id_sets():
    with pytest.raises(NotAdditive):
        series({}, Distinct("staff"), NOV_2_TO_15, DAY)


def _aligned(current_period, previous_period_, granularity, per_day=None):
    current = series({}, Sum("won"), current_period, granularity)
    previous = series(per_day or {}, Sum("won"), previous_period_, granularity)
    return current, align_previous(current, previous)


def test_align_previous_never_dates_a_point_outside_the_previous_period():
    march = Period(D(2026, 3, 1), D(2026, 3, 31))
    february = previous_period(march, Preset.CURRENT_MONTH)
    _, aligned = _aligned(march, february, DAY, {D(2026, 2, 28): {"won": 2}})
    assert len(aligned) == 28  # 29-31 March have no previous day
    assert all(p.date in february for p in aligned)
    assert aligned[27] == PreviousPoint(
        date=D(2026, 2, 28), value=2.0, offset=27, aligns_with=D(2026, 3, 28)
    )


def test_align_previous_drops_extra_points():
    february = Period(D(2026, 2, 1), D(2026, 2, 28))
    january = previous_period(february, Preset.CURRENT_MONTH)
    assert january == Period(D(2026, 1, 1), D(2026, 1, 28))
    previous = [Point(day, 1.0) for day in Period(D(2026, 1, 1), D(2026, 1, 31)).dates()]
    aligned = align_previous(series({}, Sum("won"), february, DAY), previous)
    assert [(p.date, p.offset) for p in aligned] == [
        (p.date, i) for i, p in enumerate(previous[:28])
    ]


def test_align_previous_weeks_pairs_buckets_by_position():
    # March 2026 (from Sunday the 1st) has 6 week buckets, February (from Sunday
    # the 1st) 5, the last starting Monday 23 Feb: March's sixth has no partner.
    march = Period(D(2026, 3, 1), D(2026, 3, 31))
    february = previous_period(march, Preset.CURRENT_MONTH)
    current, aligned = _aligned(march, february, WEEK)
    assert [p.date for p in current] == [
        D(2026, 3, 1),
        D(2026, 3, 2),
        D(2026, 3, 9),
        D(2026, 3, 16),
        D(2026, 3, 23),
        D(2026, 3, 30),
    ]
    assert [(p.date, p.offset, p.aligns_with) for p in aligned] == [
        (D(2026, 2, 1), 0, D(2026, 3, 1)),
        (D(2026, 2, 2), 1, D(2026, 3, 2)),
        (D(2026, 2, 9), 2, D(2026, 3, 9)),
        (D(2026, 2, 16), 3, D(2026, 3, 16)),
        (D(2026, 2, 23), 4, D(2026, 3, 23)),
    ]


def test_align_previous_weekly_oct_2_to_31_stays_inside_the_previous_period():
    # issue 13: November's weekly previous series (2-31 Oct) ended with a bucket dated 2 Nov
    november = Period(D(2026, 11, 1), D(2026, 11, 30))
    before = previous_period(november, Preset.LAST_30_DAYS)
    assert before == Period(D(2026, 10, 2), D(2026, 10, 31))
    _, aligned = _aligned(november, before, WEEK)
    assert [p.date for p in aligned] == [
        D(2026, 10, 2),
        D(2026, 10, 5),
        D(2026, 10, 12),
        D(2026, 10, 19),
        D(2026, 10, 26),
    ]
    assert [p.aligns_with for p in aligned] == [
        D(2026, 11, 1),
        D(2026, 11, 2),
        D(2026, 11, 9),
        D(2026, 11, 16),
        D(2026, 11, 23),
    ]


def test_align_previous_months():
    current_period = Period(D(2026, 1, 31), D(2026, 3, 1))  # 30 days, 3 month buckets
    previous = previous_period(current_period, Preset.CUSTOM)
    assert previous == Period(D(2026, 1, 1), D(2026, 1, 30))  # one month bucket
    _, aligned = _aligned(current_period, previous, MONTH, {D(2026, 1, 5): {"won": 4}})
    assert aligned == [
        PreviousPoint(date=D(2026, 1, 1), value=4.0, offset=0, aligns_with=D(2026, 1, 31))
    ]


def test_align_previous_without_previous_points_is_empty():
    current = [Point(D(2026, 11, 2), 1.0), Point(D(2026, 11, 3), 2.0)]
    assert align_previous(current, []) == []
