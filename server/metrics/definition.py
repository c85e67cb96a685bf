"""What a metric is, as data: the one definition the schema, the info-box
texts and the docs are derived from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

from server.metrics.formulas import Formula

Unit = Literal["count", "rate", "seconds", "rating", "date"]
"""How a value reads: counts, rates as fractions 0..1, durations in seconds,
ratings 1..5, or a calendar date."""

UNITS: frozenset[str] = frozenset(get_args(Unit))


class Judgement(StrEnum):
    """Which way a metric's movement is good news, if any."""

    HIGHER_IS_BETTER = "HIGHER_IS_BETTER"
    LOWER_IS_BETTER = "LOWER_IS_BETTER"
    NEUTRAL = "NEUTRAL"
    """A fact that is not judged (a count of open leads, a start date): no
    trend is favorable or unfavorable, and reports colour nothing."""


class DashboardKind(StrEnum):
    ACTIVATIONS = "ACTIVATIONS"
    PARTNER = "PARTNER"


@dataclass(frozen=True, kw_only=True)
class MetricDef:
    """One metric.

    Attributes:
        key: the field name in the API (camelCase).
        title: the info-box heading.
        description: the info-box text, for an end user (1-3 sentences).
        unit: see ``Unit``.
        importer_only: hidden from every role but importers (absent from their schema).
        higher_is_better: the direction a trend is ``favorable`` in; ``None`` for a
            fact that is not judged (see ``Judgement.NEUTRAL``).
        dashboard: the dashboard it belongs to.
        formula: how it derives from the day rollups' columns; ``None`` when it
            is computed another way (pipeline state, per-workshop tables).
        part_of: for a figure shown inside another metric (the connection
            rate's throughput, eligible, connected), that metric's key.
    """

    key: str
    title: str
    description: str
    unit: Unit
    dashboard: DashboardKind
    formula: Formula | None
    importer_only: bool = False
    higher_is_better: bool | None = True
    part_of: str | None = None

    @property
    def judgement(self) -> Judgement:
        if self.higher_is_better is None:
            return Judgement.NEUTRAL
        return Judgement.HIGHER_IS_BETTER if self.higher_is_better else Judgement.LOWER_IS_BETTER
