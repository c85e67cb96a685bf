"""Writing the data set as one ``KIND.csv`` per kind (DOMAIN.md formats)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from server.demo._generate import generate
from server.demo._kinds import COLUMNS
from server.demo._scale import DemoScale


def write_demo_csvs(
    directory: Path, *, end: date, scale: DemoScale = DemoScale(), seed: int = 7
) -> dict[str, int]:
    """Write the demo data set into ``directory``, one ``KIND.csv`` per kind.

    The files are the same byte for byte for the same ``(end, scale, seed)``:
    every random draw comes from streams seeded by ``seed``, never the clock.

    Args:
        directory: created if missing; existing ``KIND.csv`` files are replaced.
        end: the last day with data (as-of, normally yesterday). Nothing in the
            files happens after the end of that day in the importer's timezone.
        scale: size of the main importer; see ``DemoScale``.
        seed: picks one of many equally plausible data sets.

    Returns:
        Rows written per kind (header excluded), e.g. ``{"visits": 54321, ...}``.

    Example:
        >>> write_demo_csvs(Path("demo"), end=date(2026, 3, 1))["importers"]
        2
    """
    directory.mkdir(parents=True, exist_ok=True)
    data = generate(end, scale, seed)
    for kind, columns in COLUMNS.items():
        with (directory / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(data.rows[kind])
    return data.counts()
