"""Cell parsers: CSV text in, a Python value out, or ValueError whose message
tells the sender what to fix. Only non-empty cells reach them (empty = null).

They run once per cell on million-row files, so they stay plain functions over
the C-implemented parsers of the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Parser = Callable[[str], object]

_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1
OFFSET_EXAMPLE = "2026-10-03T14:05:00+02:00"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Any day or instant at all, even one no fact window checks (a partner's start,
# an offer's expiry): far enough from date.min/max that a day's neighbours and
# the local day of an instant always exist.
_FIRST_DAY = date(1900, 1, 1)
_END_DAY = date(3000, 1, 1)
_FIRST_INSTANT = (datetime(1900, 1, 1, tzinfo=UTC) - _EPOCH) // _MICROSECOND
_END_INSTANT = (datetime(3000, 1, 1, tzinfo=UTC) - _EPOCH) // _MICROSECOND


def integer(cell: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        raise ValueError(f"bad integer '{cell}': use digits, e.g. 42") from None
    if not _INT_MIN <= value <= _INT_MAX:
        raise ValueError(f"integer {cell} is out of range")
    return value


def count(cell: str) -> int:
    """A count of things (messages, actions, recipients, days): never negative."""
    value = integer(cell)
    if value < 0:
        raise ValueError(f"negative count {value}: use 0 or more")
    return value


def year(cell: str) -> int:
    """A model year: a plausible calendar year."""
    value = integer(cell)
    if not 1880 <= value <= 2999:
        raise ValueError(f"year {value} is not a model year: use e.g. 2020")
    return value


def number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ValueError(f"bad number '{cell}': use e.g. 0.35") from None
    if not math.isfinite(value):
        raise ValueError(f"bad number '{cell}': use a finite number, e.g. 0.35")
    return value


def rate(cell: str) -> float:
    """A goal expressed as a share: 0..1 (0.35, not 35 %)."""
    value = number(cell)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"rate {cell} is outside 0..1: write 35 % as 0.35")
    return value


def boolean(cell: str) -> bool:
    lowered = cell.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"bad boolean '{cell}': use true or false")


def day(cell: str) -> date:
    # date.fromisoformat also takes 20261003 and 2026-W40-6; the contract is YYYY-MM-DD.
    if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        try:
            value = date.fromisoformat(cell)
        except ValueError:
            pass
        else:
            if not _FIRST_DAY <= value < _END_DAY:
                raise ValueError(_implausible(cell))
            return value
    raise ValueError(f"bad date '{cell}': use YYYY-MM-DD, e.g. 2026-10-03")


def timestamp(cell: str) -> int:
    """An instant, as microseconds since 1970-01-01 UTC.

    Staged as int8 and turned into timestamptz in SQL (``instant_sql``): asyncpg
    encodes an aware datetime several times slower than it takes to parse one,
    and integers compare as instants in Python and SQL alike.
    """
    try:
        value = datetime.fromisoformat(cell)
    except ValueError:
        raise ValueError(
            f"bad timestamp '{cell}': use ISO 8601 with an offset, e.g. {OFFSET_EXAMPLE}"
        ) from None
    if value.tzinfo is None:
        raise ValueError(f"timestamp without offset: add one, e.g. {OFFSET_EXAMPLE}")
    microseconds = (value - _EPOCH) // _MICROSECOND
    if not _FIRST_INSTANT <= microseconds < _END_INSTANT:
        raise ValueError(_implausible(cell))
    return microseconds


def _implausible(cell: str) -> str:
    return (
        f"'{cell}' is outside {_FIRST_DAY.isoformat()} … {_END_DAY.year - 1}-12-31, "
        "the range any date may lie in: check the year"
    )


def instant_sql(column: str) -> str:
    """The timestamptz of a staged ``timestamp`` value (exact: < 2**53 µs)."""
    return f"(timestamptz 'epoch' + {column} * interval '1 microsecond')"


def timezone(cell: str) -> str:
    try:
        ZoneInfo(cell)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone '{cell}': use an IANA name, e.g. Europe/Copenhagen"
        ) from None
    return cell


def one_of(*allowed: str) -> Parser:
    """An enum column: upper-case values from a fixed list."""
    choices = frozenset(allowed)
    listed = ", ".join(allowed)

    def parse(cell: str) -> str:
        value = cell.upper()
        if value not in choices:
            raise ValueError(f"unknown value '{cell}': use one of {listed}")
        return value

    return parse
