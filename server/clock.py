"""Today and as-of, in an importer's timezone.

INSIGHTS_TODAY pins the date for tests, demos and reproducible benchmarks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def today_in(timezone: str, fixed: date | None = None) -> date:
    return fixed if fixed is not None else datetime.now(ZoneInfo(timezone)).date()


def as_of_in(timezone: str, fixed: date | None = None) -> date:
    """The newest day a period may contain: data is processed once a day."""
    return today_in(timezone, fixed) - timedelta(days=1)
