"""How report values become printed text.

The PDF uses the core Helvetica font, which only covers Latin-1, so every string
that reaches the page passes through `printable`, and the formatters themselves
only ever produce Latin-1 ("n/a", "-", "pp").
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from server.reports.model import ReportTrend

MISSING = "n/a"
UNITS = ("count", "rate", "seconds", "rating")

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR

# Letters and punctuation that NFKD cannot reduce to Latin-1 but that have an
# obvious plain spelling; anything else outside Latin-1 becomes "?".
_SPELLINGS = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u2022": "\u00b7",
        "\u20ac": "EUR",
        "\u0141": "L",
        "\u0142": "l",
        "\u0110": "D",
        "\u0111": "d",
        "\u0131": "i",
        "\u0152": "OE",
        "\u0153": "oe",
    }
)


def printable(text: str) -> str:
    """Return `text` in Latin-1 so the core PDF fonts can draw it.

    Partner and importer names come from customer data and may hold any character;
    accents outside Latin-1 lose their mark ("Škoda" -> "Skoda") rather than failing
    the whole report.
    """
    return "".join(_latin1_char(char) for char in text.translate(_SPELLINGS))


def _latin1_char(char: str) -> str:
    if ord(char) < 256:
        return char
    base = "".join(
        part
        for part in unicodedata.normalize("NFKD", char)
        if ord(part) < 256 and not unicodedata.combining(part)
    )
    return base or "?"


def format_value(unit: str, value: float | None) -> str:
    """Format one figure the way the printed report shows it.

    Args:
        unit: "count", "rate" (a fraction 0..1), "seconds" or "rating" (out of 5).
        value: the figure; None when it has no value (a mean over nothing).

    Returns:
        e.g. "1,204", "62.5 %", "3 h 20 min", "2.5 days", "4.2 / 5", or "n/a".

    Raises:
        ValueError: for a unit outside `UNITS`.
    """
    _check_unit(unit)
    if value is None:
        return MISSING
    if unit == "count":
        return f"{round(value):,}"
    if unit == "rate":
        return f"{value * 100:.1f} %"
    if unit == "seconds":
        return "-" + format_duration(-value) if value < 0 else format_duration(value)
    return f"{value:.1f} / 5"


def format_change(unit: str, trend: ReportTrend | None) -> str:
    """Format the change against the previous period, signed.

    Rates change in percentage points ("+12.5 pp"); other units show the relative
    change ("-20.0 %"), or the absolute change when there is no relative one
    (previous was 0): "+3", "+2 h", "+0.4". No comparison gives "n/a".

    Raises:
        ValueError: for a unit outside `UNITS`.
    """
    _check_unit(unit)
    if trend is None or trend.change is None:
        return MISSING
    if unit == "rate":
        return _signed(trend.change * 100, 1) + " pp"
    if trend.change_percent is not None:
        return _signed(trend.change_percent, 1) + " %"
    if unit == "count":
        return _signed(trend.change, 0)
    if unit == "rating":
        return _signed(trend.change, 1)
    duration = format_duration(abs(trend.change))
    if duration == "0 s":
        return duration
    return ("+" if trend.change > 0 else "-") + duration


def format_duration(seconds: float) -> str:
    """A non-negative duration for people: "45 s", "12 min", "3 h 20 min", "2.5 days"."""
    if round(seconds) < _MINUTE:
        return f"{round(seconds)} s"
    minutes = round(seconds / _MINUTE)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days = f"{seconds / _DAY:,.1f}".removesuffix(".0")
    return f"{days} day" if days == "1" else f"{days} days"


def format_date(day: date) -> str:
    return day.isoformat()


def format_timestamp(moment: datetime) -> str:
    """Minutes are enough for "generated at"; an aware time names its zone."""
    text = moment.strftime("%Y-%m-%d %H:%M")
    zone = moment.tzname()
    return f"{text} {zone}" if zone else text


def _signed(number: float, decimals: int) -> str:
    text = f"{abs(number):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if number > 0 else "-") + text


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"Unknown figure unit {unit!r}; use one of {', '.join(UNITS)}.")
