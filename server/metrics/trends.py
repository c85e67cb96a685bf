"""Trends: how a metric's value moved against the previous period, and whether
that move is good news (METRICS.md, "Trend")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

FLAT_TOLERANCE = 1e-9
"""Changes smaller than this are float noise (0.1 + 0.2 - 0.3), not a movement."""


class Direction(StrEnum):
    UP = "UP"
    DOWN = "DOWN"
    FLAT = "FLAT"


@dataclass(frozen=True)
class Trend:
    previous: float | None
    change: float | None
    change_percent: float | None
    direction: Direction
    favorable: bool | None


def trend(current: float | None, previous: float | None, *, higher_is_better: bool | None) -> Trend:
    """Compare ``current`` with ``previous``.

    Args:
        current: the value over the period; ``None`` when it has none (a mean
            over no items, a rate over a zero denominator).
        previous: the value over the previous period, likewise.
        higher_is_better: the catalog's flag; ``favorable`` follows it, and is
            ``None`` for a metric that is not judged (``None``).

    Returns:
        ``change`` = current - previous (for rates a difference of fractions:
        -0.6 is sixty points down); ``change_percent`` = change / |previous| x 100,
        ``None`` when previous is 0 or ``None``; ``favorable`` is ``None`` when FLAT.
        Without both values there is no change: FLAT, everything else ``None``.

    Example:
        >>> trend(0.2, 0.8, higher_is_better=True).direction
        <Direction.DOWN: 'DOWN'>
    """
    if current is None or previous is None:
        return Trend(previous, None, None, Direction.FLAT, None)
    change = current - previous
    if abs(change) < FLAT_TOLERANCE:
        change = 0.0
    percent = None if previous == 0 else change / abs(previous) * 100
    if change == 0:
        return Trend(previous, change, percent, Direction.FLAT, None)
    direction = Direction.UP if change > 0 else Direction.DOWN
    favorable = None if higher_is_better is None else (change > 0) == higher_is_better
    return Trend(previous, change, percent, direction, favorable)
