"""Where rows come from: a CSV file, CSV text, or a list of mappings. Each can
be read more than once (the reject file reads the bad lines again), and numbers
its rows the way the sender sees them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TextIO

import rich.progress

Numbered = Iterator[tuple[int, Sequence[str]]]


class UnreadableCsv(Exception):
    """The CSV text itself is broken at ``line``: nothing after it can be read."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class Source:
    """A header and numbered rows, read afresh on each ``open()``."""

    def open(self) -> AbstractContextManager[tuple[list[str] | None, Numbered]]:
        raise NotImplementedError


class CsvSource(Source):
    """CSV text behind an opener (a file, possibly with a progress bar, or a string)."""

    def __init__(
        self, opener: Callable[[], AbstractContextManager[TextIO]], path: Path | None = None
    ) -> None:
        self._opener = opener
        self._path = path

    @classmethod
    def file(cls, path: Path, *, progress: bool = False, label: str = "") -> CsvSource:
        def opener() -> AbstractContextManager[TextIO]:
            if progress:
                return rich.progress.open(
                    path, "r", encoding="utf-8-sig", newline="", description=label
                )
            return path.open(encoding="utf-8-sig", newline="")

        return cls(opener, path)

    @classmethod
    def text(cls, text: str) -> CsvSource:
        return cls(lambda: io.StringIO(text.removeprefix("\ufeff"), newline=""))

    @contextmanager
    def open(self) -> Iterator[tuple[list[str] | None, Numbered]]:
        with self._opener() as stream:
            # strict: an unterminated quote at the end of the file is an error,
            # not one last cell swallowing the rest of the text.
            reader = csv.reader(stream, strict=True)
            try:
                first = next(reader, None)
            except csv.Error as exc:
                raise UnreadableCsv(1, _broken(exc)) from None
            except UnicodeDecodeError:
                raise self._not_utf8() from None
            header = [name.strip() for name in first] if first else None
            yield header, self._numbered(reader)

    def _numbered(self, reader: Iterator[list[str]]) -> Numbered:
        """Rows with the line they start on; blank lines are skipped."""
        end: int = reader.line_num  # type: ignore[attr-defined]
        try:
            for cells in reader:
                start = end + 1
                end = reader.line_num  # type: ignore[attr-defined]
                if cells:
                    yield start, cells
        except csv.Error as exc:
            raise UnreadableCsv(end + 1, _broken(exc)) from None
        except UnicodeDecodeError:
            raise self._not_utf8() from None

    def _not_utf8(self) -> UnreadableCsv:
        """Text is decoded ahead of the CSV reader, so find the bad byte's line
        in the file itself (this only runs on the error path)."""
        line = 1
        if self._path is not None:
            data = self._path.read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
        return UnreadableCsv(line, "the file is not UTF-8 text: save it as UTF-8")


def _broken(exc: csv.Error) -> str:
    if "unexpected end of data" in str(exc):
        return "a quote opened on this line is never closed: close or remove it"
    return f"unreadable CSV ({exc}): check the quoting"


class MappingSource(Source):
    """Rows sent as mappings keyed by column name (the ingest API); row i is line i."""

    def __init__(self, rows: Sequence[Mapping[str, str | None]], required: Sequence[str]) -> None:
        names: dict[str, None] = dict.fromkeys(required)
        for row in rows:
            names.update(dict.fromkeys(row))
        self._header = list(names)
        self._rows = rows

    @contextmanager
    def open(self) -> Iterator[tuple[list[str] | None, Numbered]]:
        header = self._header

        def numbered() -> Numbered:
            for index, row in enumerate(self._rows):
                yield index, [_text(row.get(name)) for name in header]

        yield header, numbered()


def _text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
