"""Exact distinct users from the columnar ids, against brute force in plain
Python for random activity, scopes, periods and every bucket granularity."""

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from server.metrics.distinct import ActivityIds, count_distinct
from server.metrics.periods import Period, previous_period
from server.metrics.series import Granularity, buckets

START = date(2026, 1, 1)
rows = st.lists(st.tuples(st.integers(0, 80), st.integers(1, 4), st.integers(1, 12)), max_size=150)


def _ids(activity):
    activity = sorted(set(activity))
    days = np.array(
        [(START + timedelta(days=d)).toordinal() for d, _, _ in activity], dtype=np.int64
    )
    workshops = np.array([w for _, w, _ in activity], dtype=np.int64)
    users = np.array([u for _, _, u in activity], dtype=np.int64)
    return ActivityIds.of(days, workshops, users)


def _brute(activity, scope, period):
    return len({u for d, w, u in activity if w in scope and START + timedelta(days=d) in period})


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    activity=rows,
    scope=st.sets(st.integers(1, 4), min_size=1),
    start=st.integers(20, 60),
    length=st.integers(1, 21),
)
def test_matches_brute_force(activity, scope, start, length):
    current = Period(START + timedelta(days=start), START + timedelta(days=start + length - 1))
    previous = previous_period(current, None)
    (counts,) = count_distinct(
        _ids(activity), [sorted(scope)], current, previous, with_buckets=True
    )
    assert counts.totals[False] == _brute(activity, scope, current)
    assert counts.totals[True] == _brute(activity, scope, previous)
    for granularity in Granularity:
        for of_previous, period in ((False, current), (True, previous)):
            found = counts.buckets[(granularity, of_previous)]
            for bucket in buckets(period, granularity):
                assert found.get(bucket.start, 0) == _brute(activity, scope, bucket)


def test_many_scopes_at_once_and_empty_data():
    activity = [(30, 1, 5), (30, 2, 5), (31, 2, 6)]
    current = Period(START + timedelta(days=30), START + timedelta(days=31))
    previous = previous_period(current, None)
    counts = count_distinct(
        _ids(activity), [[1], [2], [1, 2], []], current, previous, with_buckets=False
    )
    assert [c.totals[False] for c in counts] == [1, 2, 2, 0]
    (empty,) = count_distinct(ActivityIds.empty(), [[1]], current, previous, with_buckets=True)
    assert empty.totals == {False: 0, True: 0}


def test_days_between_a_calendar_previous_period_and_the_current_count_for_neither():
    # CURRENT_MONTH on 10 Feb compares 1-10 Feb with 1-10 Jan: 20 Jan is in neither
    activity = [(19, 1, 7), (35, 1, 8)]  # 20 Jan, 5 Feb
    current = Period(date(2026, 2, 1), date(2026, 2, 10))
    previous = Period(date(2026, 1, 1), date(2026, 1, 10))
    (counts,) = count_distinct(_ids(activity), [[1]], current, previous, with_buckets=True)
    assert counts.totals == {False: 1, True: 0}
    assert counts.buckets[(Granularity.MONTH, True)] == {}


def test_a_scope_reads_only_its_own_workshops_rows():
    activity = [(30, 1, 5), (30, 2, 6), (31, 3, 6), (31, 3, 9)]
    current = Period(START + timedelta(days=30), START + timedelta(days=31))
    previous = previous_period(current, None)
    ids = _ids(activity)
    # a scope naming every workshop with activity (and one without) uses the
    # importer-wide copy; the others gather their own blocks
    counts = count_distinct(
        ids, [[1, 2, 3, 99], [3], [2, 3], [99]], current, previous, with_buckets=False
    )
    assert [c.totals[False] for c in counts] == [3, 2, 2, 0]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(activity=rows, start=st.integers(20, 60), length=st.integers(1, 40))
def test_series_counted_on_demand_match_each_scope_alone(activity, start, length):
    """Scopes of one call share bucket tables and count a series when it is read:
    in any order, any number of times, the same as each scope computed alone."""
    current = Period(START + timedelta(days=start), START + timedelta(days=start + length - 1))
    previous = previous_period(current, None)
    ids = _ids(activity)
    scopes = [[1], [2, 3], [1, 2, 3, 4], [4]]
    together = count_distinct(ids, scopes, current, previous, with_buckets=True)
    for scope, counts in zip(scopes, together, strict=True):
        (alone,) = count_distinct(ids, [scope], current, previous, with_buckets=True)
        keys = list(alone.buckets)
        assert [counts.buckets[k] for k in reversed(keys)] == [
            alone.buckets[k] for k in reversed(keys)
        ]
        assert dict(counts.buckets) == dict(alone.buckets)
        assert counts.totals == alone.totals
