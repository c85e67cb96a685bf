"""The reject file of a load that skipped invalid rows: each bad row as it was
sent, followed by its line, the columns at fault and the reasons, so the sender
can fix the cells and send the file again."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from server.ingest._sources import Source, UnreadableCsv
from server.ingest.report import RowError


def reject_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejects.csv")


def write_rejects(source: Source, errors: list[RowError], target: Path) -> Path:
    by_line: dict[int, list[RowError]] = defaultdict(list)
    for error in errors:
        by_line[error.line].append(error)
    with source.open() as (header, rows), target.open("w", encoding="utf-8", newline="") as out:
        width = len(header or [])
        writer = csv.writer(out)
        writer.writerow([*(header or []), "line", "column", "reason"])
        try:
            for line, cells in rows:
                found = by_line.get(line)
                if found:
                    writer.writerow([*cells, *[""] * (width - len(cells)), *_describe(line, found)])
        except UnreadableCsv:
            pass  # the broken line itself is in the report; there is nothing past it
    return target


def _describe(line: int, errors: list[RowError]) -> list[str]:
    columns = "; ".join(dict.fromkeys(e.column or "" for e in errors))
    return [str(line), columns, "; ".join(e.reason for e in errors)]
