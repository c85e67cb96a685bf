"""The columnar form of ``Workshop.dashboard`` (server/schema/batching.py): a
list of N workshop dashboards answered straight from the day copy's arrays.

Every workshop's period sums come from one vectorised call, each metric's
values and trends are computed for all N workshops at once
(server/metrics/vectorised.py), and each selected field becomes one column of
N completed values; the response's dicts are then zipped together row by row.
No dashboard, metric or trend object is made per workshop, and no resolver
runs per field. Values that are the same for every workshop (periods, asOf,
info-boxes) are completed once, by execution's own completer, and shared.

What it does not know (series, distinct counts, data age, workshop activity,
fields with arguments) it declines before loading anything, as it does when
the copy is not warm: then the batch form and per-item completion answer.
A differential test requires the same bytes as standard execution."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import timedelta
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from server.metrics import catalog
from server.metrics.columnar import DayColumns
from server.metrics.formulas import Distinct
from server.metrics.trends import Direction
from server.metrics.vectorised import Values, evaluate, trends
from server.resolvers.tenancy import ImporterRow, WorkshopRow
from server.schema.activations import PROVISIONAL_DAYS, DashboardPlan, dashboard_plan
from server.schema.batching import Selected, Selection
from server.schema.common import Period, PeriodInput, info
from server.schema.context import Context, Info
from server.schema.row_template import rows

Column = Iterable[Any]
"""One completed value per workshop (``repeat`` for a shared one)."""

_INT32 = (-(2**31), 2**31 - 1)
_COUNTED = {"CountMetric": True, "CampaignMetric": True, "DurationMetric": False}
"""Metric types with a ``value``, and whether it is a count (``int(value or 0)``)."""
_METRIC_TYPES = {*_COUNTED, "ConnectionRate"}
_SUMMED = {
    "recipients": "campaign_recipients",
    **{c: c for c in ("throughput", "eligible", "connected")},
}
"""Fields answering one column's period sum as an integer."""
_SHARED = {"__typename", "info", "provisionalFrom"}
"""Fields of a metric whose value is the same for every workshop."""
_METRIC_FIELDS = {"value", "rate", "trend", "goal", *_SUMMED, *_SHARED}


class _Declined(Exception):
    """This selection or these numbers need the per-item path."""


async def dashboard_columns(
    info_: Info, workshops: Sequence[WorkshopRow], selection: Selection, period: PeriodInput
) -> list[Any] | None:
    """Every workshop's completed dashboard (one workshop each), or None."""
    if not _supported(selection):
        return None
    ctx: Context = info_.context
    importer = await ctx.importer()
    plan = await dashboard_plan(info_, period)
    copy = None
    if any(s.type_name in _METRIC_TYPES for s in selection):
        copy = await ctx.loaders.day_copy_of(importer.id)
        if copy is None:
            return None
    try:
        return _Dashboards(plan, importer, workshops, copy, _columns(selection)).rows(selection)
    except _Declined:
        return None


def _supported(selection: Selection) -> bool:
    if not selection:
        return False  # every field skipped: nothing to zip
    for s in selection:
        if s.arguments:
            return False
        if s.name in ("__typename", "period", "previousPeriod", "asOf"):
            continue
        if s.type_name not in _METRIC_TYPES:
            return False
        if isinstance(catalog.metric(s.name).formula, Distinct | None):
            return False
        if not s.below or any(b.arguments or b.name not in _METRIC_FIELDS for b in s.below):
            return False
        if any(not b.below for b in s.below if b.name == "trend"):
            return False
    return True


def _columns(selection: Selection) -> set[str]:
    """The day columns the selected metrics read."""
    needed: set[str] = set()
    for s in selection:
        if s.type_name in _METRIC_TYPES:
            formula = catalog.metric(s.name).formula
            assert formula is not None
            needed.update(formula.components)
            needed.update(_SUMMED[b.name] for b in s.below if b.name in _SUMMED)
    return needed


def _rows(selection: Selection, columns: Sequence[Column]) -> list[dict[str, Any]]:
    return rows([s.key for s in selection], columns)


class _Dashboards:
    """The columns of one list of workshop dashboards."""

    def __init__(
        self,
        plan: DashboardPlan,
        importer: ImporterRow,
        workshops: Sequence[WorkshopRow],
        copy: DayColumns | None,
        needed: Collection[str],
    ) -> None:
        self.plan = plan
        self.importer = importer
        self.workshops = workshops
        self.size = len(workshops)
        self.copy = copy
        self.sums: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None = None
        if copy is not None:
            scopes = [(w.id,) for w in workshops]
            self.sums = copy.total_arrays(scopes, (plan.period, plan.previous), needed)

    def rows(self, selection: Selection) -> list[dict[str, Any]]:
        return _rows(selection, [self._field(s) for s in selection])

    def _shared(self, value: Any) -> Column:
        return repeat(value, self.size)

    def _field(self, s: Selected) -> Column:
        plan = self.plan
        if s.name == "__typename":
            return self._shared(s.complete(None))
        if s.name == "period":
            return self._shared(s.complete(Period.of(plan.period)))
        if s.name == "previousPeriod":
            return self._shared(s.complete(Period.of(plan.previous)))
        if s.name == "asOf":
            return self._shared(s.complete(plan.today - timedelta(days=1)))
        return self._metric(s)

    # -- a metric: value, parts, trend, info

    def _component(self, period: int) -> Callable[[str], npt.NDArray[Any]]:
        assert self.copy is not None and self.sums is not None
        copy, (ints, floats) = self.copy, self.sums
        index = {name: c for c, name in enumerate(copy.columns)}

        def component(name: str) -> npt.NDArray[Any]:
            c = index[name]
            return ints[:, period, c] if copy.exact(c) else floats[:, period, c]

        return component

    def _values(self, key: str, period: int) -> Values:
        formula = catalog.metric(key).formula
        assert formula is not None
        found = evaluate(formula, self._component(period), self.size)
        if found is None or not np.isfinite(found.values).all():
            raise _Declined
        return found

    def _metric(self, s: Selected) -> Column:
        now, before = self._values(s.name, 0), self._values(s.name, 1)
        columns = [self._part(s, b, now, before) for b in s.below]
        return _rows(s.below, columns)

    def _part(self, metric: Selected, s: Selected, now: Values, before: Values) -> Column:
        if s.name == "__typename":
            return self._shared(s.complete(None))
        if s.name == "info":
            return self._shared(s.complete(info(metric.name)))
        if s.name == "provisionalFrom":
            first = self.plan.today - timedelta(days=PROVISIONAL_DAYS - 1)
            period = self.plan.period
            return self._shared(
                s.complete(max(period.start, first) if first <= period.end else None)
            )
        if s.name == "trend":
            return self._trend(metric, s, now, before)
        if s.name == "goal":
            default = self.importer.connection_rate_goal
            return [
                s.complete(default if w.connection_rate_goal is None else w.connection_rate_goal)
                for w in self.workshops
            ]
        if s.name in _SUMMED:
            return _ints(self._component(0)(_SUMMED[s.name]))
        if s.name == "value" and _COUNTED[metric.type_name]:
            return _ints(np.where(now.missing, 0.0, now.values))
        return now.as_list()  # a duration's value, a rate's rate

    def _trend(self, metric: Selected, s: Selected, now: Values, before: Values) -> Column:
        judged = catalog.metric(metric.name).higher_is_better
        found = trends(now, before, higher_is_better=judged)
        if not found.finite:
            raise _Declined  # GraphQL's Float reports an error: the per-item path does
        columns: list[Column] = []
        for b in s.below:
            if b.name == "__typename":
                columns.append(self._shared(b.complete(None)))
            elif b.name == "direction":
                named = {d: b.complete(d) for d in Direction}
                columns.append([named[d] for d in found.direction])
            else:
                parts: dict[str, Column] = {
                    "previous": found.previous,
                    "change": found.change,
                    "changePercent": found.change_percent,
                    "favorable": found.favorable,
                }
                columns.append(parts[b.name])
        return _rows(s.below, columns)


def _ints(values: npt.NDArray[Any]) -> list[int]:
    """``int(x)`` of each (truncating floats), as GraphQL's Int would accept them."""
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise _Declined
        values = np.trunc(values)
        if len(values) and (values.min() < _INT32[0] or values.max() > _INT32[1]):
            raise _Declined
        values = values.astype(np.int64)
    elif len(values) and (values.min() < _INT32[0] or values.max() > _INT32[1]):
        raise _Declined  # GraphQL's Int reports an error: the per-item path does
    found: list[int] = values.tolist()
    return found
