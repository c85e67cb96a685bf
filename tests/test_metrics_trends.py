"""Trends: change, relative change, direction and whether it is good news."""

from __future__ import annotations

import pytest

from server.metrics.trends import Direction, Trend, trend


def test_increase_higher_is_better():
    assert trend(12, 10, higher_is_better=True) == Trend(10, 2, 20.0, Direction.UP, True)


def test_increase_lower_is_better_is_unfavorable():
    assert trend(12, 10, higher_is_better=False) == Trend(10, 2, 20.0, Direction.UP, False)


def test_decrease_lower_is_better_is_favorable():
    # chatFirstResponseTime down from 300 s to 240 s.
    assert trend(240.0, 300.0, higher_is_better=False) == Trend(
        300.0, -60.0, -20.0, Direction.DOWN, True
    )


def test_rate_change_is_a_difference_of_fractions():
    result = trend(0.2, 0.8, higher_is_better=True)
    assert result.change == pytest.approx(-0.6)  # sixty percentage points down
    assert result.change_percent == pytest.approx(-75.0)  # relative: 0.6 / 0.8
    assert result.direction is Direction.DOWN
    assert result.favorable is False
    assert result.previous == 0.8


def test_previous_zero_has_no_percent():
    assert trend(5, 0, higher_is_better=True) == Trend(0, 5, None, Direction.UP, True)


def test_both_zero_is_flat():
    assert trend(0, 0, higher_is_better=True) == Trend(0, 0.0, None, Direction.FLAT, None)


def test_previous_none():
    assert trend(5, None, higher_is_better=True) == Trend(None, None, None, Direction.FLAT, None)


def test_current_none_keeps_previous():
    # A rate with no denominator now, 0.5 before: nothing to compare.
    assert trend(None, 0.5, higher_is_better=True) == Trend(0.5, None, None, Direction.FLAT, None)


def test_equal_values_are_flat():
    assert trend(3, 3, higher_is_better=False) == Trend(3, 0.0, 0.0, Direction.FLAT, None)


def test_float_noise_is_flat():
    result = trend(0.1 + 0.2, 0.3, higher_is_better=True)
    assert result == Trend(0.3, 0.0, 0.0, Direction.FLAT, None)


def test_percent_uses_absolute_previous():
    assert trend(-5.0, -10.0, higher_is_better=True) == Trend(-10.0, 5.0, 50.0, Direction.UP, True)
