"""Day tables: one pass per period, and a sums-only table refuses to draw days."""

from datetime import date

import pytest

from server.metrics.daytable import DayTable
from server.metrics.periods import Period

NOV = Period(date(2026, 11, 1), date(2026, 11, 3))
OCT = Period(date(2026, 10, 29), date(2026, 10, 31))


def test_totals_per_period_and_added_parts():
    table = DayTable(("a", "b"), {date(2026, 11, 1): (1, 2), date(2026, 10, 30): (5, 0)})
    table.add(date(2026, 11, 3), (1, 1))
    table.add(date(2026, 11, 3), (2, 0))
    assert table.totals(NOV) == {"a": 4.0, "b": 3.0}
    assert table.totals(OCT) == {"a": 5.0, "b": 0.0}
    assert table.per_day()[date(2026, 11, 3)] == {"a": 3, "b": 1}


def test_sums_only_table_refuses_days():
    table = DayTable.of_totals(("a",), {NOV: (7,), OCT: (2,)})
    assert table.total("a", NOV) == 7
    with pytest.raises(LookupError):
        table.per_day()
    with pytest.raises(LookupError):
        table.totals(Period(date(2026, 11, 1), date(2026, 11, 1)))
