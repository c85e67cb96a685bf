"""Per-row validation: CSV cells in, staged records out, every problem recorded.

This is the hot loop of a million-row load: a row is first converted in one
list comprehension; only a row that fails there is taken apart again, column by
column, to say exactly what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from server.ingest._refs import Refs
from server.ingest._row import RowContext
from server.ingest._sources import Numbered, UnreadableCsv
from server.ingest._spec import Column, KindSpec, Record
from server.ingest._window import FactWindow
from server.ingest.report import RowError

Convert = Callable[[str], object]


def header_errors(spec: KindSpec, header: Sequence[str] | None) -> list[RowError]:
    """Problems with the header row (line 1): nothing can load past these."""
    if not header:
        return [RowError(1, None, "the file is empty: a header row naming the columns is required")]
    errors = [
        RowError(1, name, f"missing required column {name}: add it to the header")
        for name in spec.required
        if name not in header
    ]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            errors.append(RowError(1, name, f"column {name} appears twice in the header"))
        seen.add(name)
    return errors


class RowChecker:
    """Turns numbered rows into staged records; bad rows go to ``errors``."""

    def __init__(
        self, spec: KindSpec, header: Sequence[str], refs: Refs, window: FactWindow
    ) -> None:
        self.spec = spec
        self.errors: list[RowError] = []
        self.context = RowContext(refs, self.errors)
        position = {name: index for index, name in enumerate(header)}
        self._width = len(header)
        self._columns = [
            (position.get(c.name, -1), _windowed(c, window) if c.fact_time else c)
            for c in spec.columns
        ]
        self._plan = [(max(index, 0), _converter(c, index >= 0)) for index, c in self._columns]

    def records(self, rows: Numbered) -> Iterator[Record]:
        try:
            yield from self._records(rows)
        except UnreadableCsv as exc:
            self.errors.append(RowError(exc.line, None, exc.reason))

    def _records(self, rows: Numbered) -> Iterator[Record]:
        errors, context, build, plan, width = (
            self.errors,
            self.context,
            self.spec.build,
            self._plan,
            self._width,
        )
        for line, cells in rows:
            values: list[object] | None
            # Counted before the slow path: a row whose cells failed must not be
            # staged even when its builder finds nothing more to say (an empty
            # ref resolves to nothing, silently, and would stage an empty record).
            before = len(errors)
            try:
                # PostgreSQL text cannot hold NUL: such a row takes the slow path.
                if len(cells) != width or "\x00" in "".join(cells):
                    raise ValueError
                values = [convert(cells[index]) for index, convert in plan]
            except ValueError:
                values = self._explain(line, cells)
                if values is None:
                    continue
            context.line = line
            record = build(context, values)
            if len(errors) == before:
                yield record

    def _explain(self, line: int, cells: Sequence[str]) -> list[object] | None:
        """The slow path for a row that failed: record each problem, and return
        the values that did parse (None elsewhere) so refs are still checked."""
        if len(cells) != self._width:
            self.errors.append(RowError(line, None, _ragged(len(cells), self._width)))
            return None
        values: list[object] = []
        for index, column in self._columns:
            cell = cells[index] if index >= 0 else ""
            if "\x00" in cell:
                reason = f"{column.name} holds a NUL character (\\0): remove it"
                self.errors.append(RowError(line, column.name, reason))
                values.append(None)
            elif not cell:
                if column.required:
                    reason = f"missing required value: {column.name} is empty"
                    self.errors.append(RowError(line, column.name, reason))
                values.append(None if column.required else column.default)
            elif column.parse is None:
                values.append(cell)
            else:
                try:
                    values.append(column.parse(cell))
                except ValueError as exc:
                    self.errors.append(RowError(line, column.name, str(exc)))
                    values.append(None)
        return values


def _windowed(column: Column, window: FactWindow) -> Column:
    """The column with its parser followed by the fact window's check."""
    parse = column.parse
    assert parse is not None, "a fact's time column has a parser"
    return replace(column, parse=lambda cell: window.check(parse(cell), cell))


def _converter(column: Column, present: bool) -> Convert:
    """One cell's conversion on the fast path; any ValueError sends the row to
    the slow path (every parser rejects an empty cell)."""
    parse, default = column.parse, column.default
    if not present:
        return lambda _cell: default
    if column.required:
        return parse or _nonempty
    if parse is None:
        return lambda cell: cell or default
    return lambda cell: parse(cell) if cell else default


def _nonempty(cell: str) -> str:
    if not cell:
        raise ValueError
    return cell


def _ragged(found: int, width: int) -> str:
    return (
        f"{found} cells where the header has {width}: "
        "check for a missing or extra comma (quote cells that contain commas)"
    )
