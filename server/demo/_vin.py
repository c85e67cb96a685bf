"""Seventeen-character VINs with a valid ISO 3779 check digit."""

from __future__ import annotations

_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # a 30-year cycle starting 1980
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VALUES = dict(
    zip(
        "0123456789ABCDEFGHJKLMNPRSTUVWXYZ",
        (*range(10), 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)


def make_vin(wmi: str, model_index: int, year: int, plant: str, serial: int) -> str:
    """A VIN unique for each (wmi, plant, serial); ``serial`` below one million."""
    descriptor = "ZZZ" + "ABCDEFGHJKLMNPRSTUVWXYZ"[model_index % 23] + "Z"
    body = f"{wmi}{descriptor}0{_YEAR_CODES[(year - 1980) % 30]}{plant}{serial:06d}"
    total = sum(_VALUES[char] * weight for char, weight in zip(body, _WEIGHTS, strict=True))
    check = total % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]
