"""What a printed partner report shows, as plain values.

The report renderer takes no database session and no GraphQL types: the caller maps
the partner dashboard onto these frozen dataclasses, so the PDF can be rendered (and
tested) from hand-built data and stays deterministic for a given input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ReportTrend:
    """A figure compared with the previous period (METRICS.md, "Trend").

    `direction` is UP, DOWN or FLAT; `favorable` is null when FLAT. For rates
    `change` is a difference of fractions (percentage points / 100).
    """

    previous: float | None
    change: float | None
    change_percent: float | None
    direction: str
    favorable: bool | None


@dataclass(frozen=True)
class ReportFigure:
    """One metric on a card; `unit` is count, rate, seconds or rating."""

    key: str
    title: str
    unit: str
    value: float | None
    trend: ReportTrend | None
    enabled: bool = True


@dataclass(frozen=True)
class ReportCard:
    title: str
    figures: tuple[ReportFigure, ...]


@dataclass(frozen=True)
class ReportOutflowEntry:
    partner: str
    count: int


@dataclass(frozen=True)
class PartnerReport:
    """Everything one printed partner dashboard shows.

    `filters` and `pipeline` are (label, already formatted value) pairs, in the order
    they are printed. `outflow` is printed as given (largest first). `weekly` holds
    (week start, offers, accepted) per week of the period. `generated_at` is passed
    in, never read from the clock, so equal input gives byte-identical output.
    """

    partner_name: str
    partner_id: str
    importer_name: str
    period_label: str
    period_from: date
    period_to: date
    previous_from: date
    previous_to: date
    filters: tuple[tuple[str, str], ...]
    pipeline: tuple[tuple[str, str], ...]
    cards: tuple[ReportCard, ...]
    outflow: tuple[ReportOutflowEntry, ...]
    weekly: tuple[tuple[date, int, int], ...]
    as_of: date
    generated_at: datetime
