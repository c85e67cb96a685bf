"""The metric layer: periods, trends, series, formulas and the metric catalog.

Pure computation over values handed in; no I/O, and nothing from ``server.db``,
the resolvers, the schema or Strawberry (METRICS.md is the contract).
"""

from server.metrics.catalog import CATALOG, metric, validate_catalog, visible_metrics
from server.metrics.definition import UNITS, DashboardKind, MetricDef, Unit
from server.metrics.formulas import Distinct, Formula, Mean, NotAdditive, Ratio, Sum
from server.metrics.periods import (
    MAX_SPAN_DAYS,
    Period,
    Preset,
    as_of,
    is_calendar_to_date,
    previous_period,
    resolve_period,
)
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
from server.metrics.trends import Direction, Trend, trend
from server.metrics.validation import LOWER_IS_BETTER, CatalogError, CatalogProblem

__all__ = [
    "CATALOG",
    "LOWER_IS_BETTER",
    "MAX_SPAN_DAYS",
    "UNITS",
    "CatalogError",
    "CatalogProblem",
    "DashboardKind",
    "Direction",
    "Distinct",
    "Formula",
    "Granularity",
    "Mean",
    "MetricDef",
    "NotAdditive",
    "Period",
    "Point",
    "Preset",
    "PreviousPoint",
    "Ratio",
    "Sum",
    "Trend",
    "Unit",
    "align_previous",
    "as_of",
    "buckets",
    "is_calendar_to_date",
    "metric",
    "previous_period",
    "resolve_period",
    "series",
    "sum_components",
    "trend",
    "validate_catalog",
    "value_over",
    "visible_metrics",
]
