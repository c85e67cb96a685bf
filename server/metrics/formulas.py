"""Formulas: how a metric's value follows from additive components.

The components are the day rollups' columns (``server/models/rollups.py``).
Sums of them over any set of days stay exact, so one formula gives the value
over a whole period and over each series bucket alike: sum the components over
the days, then evaluate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class NotAdditive(TypeError):
    """A formula was evaluated from summed components that cannot define it."""


def _total(totals: Mapping[str, float], names: tuple[str, ...]) -> float:
    return sum((totals[name] for name in names), 0.0)


@dataclass(frozen=True, init=False)
class Sum:
    """A count: the sum of its components (``Sum("won")``)."""

    components: tuple[str, ...]

    def __init__(self, *components: str) -> None:
        object.__setattr__(self, "components", components)

    def evaluate(self, totals: Mapping[str, float]) -> float | None:
        return _total(totals, self.components)


@dataclass(frozen=True)
class Ratio:
    """A rate as a fraction; ``None`` over a zero denominator, never 0."""

    numerator: tuple[str, ...]
    denominator: tuple[str, ...]

    @property
    def components(self) -> tuple[str, ...]:
        # dict.fromkeys keeps the order and drops repeats (pickRate names
        # "accepted" on both sides).
        return tuple(dict.fromkeys(self.numerator + self.denominator))

    def evaluate(self, totals: Mapping[str, float]) -> float | None:
        denominator = _total(totals, self.denominator)
        if denominator == 0:
            return None
        return _total(totals, self.numerator) / denominator

    def __post_init__(self) -> None:
        if not self.denominator:
            raise ValueError("a Ratio needs at least one denominator component")


@dataclass(frozen=True)
class Mean:
    """A mean of ``total`` over ``count`` items (durations in seconds, ratings);
    ``None`` over no items, never 0."""

    total: str
    count: str

    @property
    def components(self) -> tuple[str, ...]:
        return (self.total, self.count)

    def evaluate(self, totals: Mapping[str, float]) -> float | None:
        count = totals[self.count]
        if count == 0:
            return None
        return totals[self.total] / count


@dataclass(frozen=True)
class Distinct:
    """A distinct count of ``kind`` ids ('staff', 'app') over the days.

    Daily distinct counts do not add up (a user active on two days counts
    once), so the value is computed from the id sets outside this layer.
    """

    kind: str

    @property
    def components(self) -> tuple[str, ...]:
        return ()

    def evaluate(self, totals: Mapping[str, float]) -> float | None:
        raise NotAdditive(
            f"Distinct({self.kind!r}) cannot be evaluated from summed components: "
            "count the union of the days' id sets instead"
        )


Formula = Sum | Ratio | Mean | Distinct
