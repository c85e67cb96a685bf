"""What a load reports back: how many rows went in, and every bad row with the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class RowError:
    """One problem in one row.

    ``line`` is the line in the file (the header is line 1) or, for rows sent as a
    list, the index in that list (from 0). ``column`` is None when the problem is
    the row as a whole (e.g. a wrong number of cells).
    """

    line: int
    column: str | None
    reason: str


@dataclass
class IngestReport:
    """The outcome of loading one file (or one batch of rows).

    ``accepted`` counts the rows written; it is 0 whenever ``errors`` is not empty,
    unless the load skipped invalid rows, which then sit in ``reject_file``.
    """

    kind: str
    accepted: int
    errors: list[RowError] = field(default_factory=list)
    reject_file: Path | None = None
