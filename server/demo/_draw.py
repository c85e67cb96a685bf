"""Random draws the generators share (all from a caller's ``random.Random``)."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

# Visits, chats and leads follow the working week: busy Monday, quiet weekend.
WEEKDAY_LOAD = (1.15, 1.0, 1.0, 0.95, 0.85, 0.22, 0.04)
# Summer holidays in July and the days around Christmas are quiet in Denmark.
MONTH_LOAD = (1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.6, 0.95, 1.05, 1.0, 1.0, 0.8)


def load(day: date) -> float:
    return WEEKDAY_LOAD[day.weekday()] * MONTH_LOAD[day.month - 1]


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def skewed(rng: random.Random, median: float, spread: float = 1.0) -> float:
    """A positive, right-skewed draw (log-normal) with the given median."""
    return median * math.exp(rng.gauss(0.0, spread))


def gap_days(rng: random.Random, chance: float) -> int:
    """Days until the next success of a daily ``chance`` (geometric, at least 1)."""
    if chance >= 1:
        return 1
    return 1 + int(math.log(1.0 - rng.random()) / math.log(1.0 - chance))


def business_seconds(rng: random.Random, start_hour: float, end_hour: float) -> float:
    """Seconds after midnight, uniform between two hours of the day."""
    return rng.uniform(start_hour, end_hour) * 3600


def hours(value: float) -> timedelta:
    return timedelta(seconds=int(value * 3600))
