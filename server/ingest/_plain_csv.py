r"""Recognising CSV text that PostgreSQL's COPY reads exactly as Python's
``csv`` module (strict) does, so it can be parsed in the database.

Without quote characters, NUL bytes, blank lines, ``\.`` (COPY's end-of-data
marker), lines longer than the ``csv`` field limit and with one kind of line
ending (``\n`` or ``\r\n``, not mixed, no lone ``\r``),
every physical line is one row, a row is split at every comma by both readers,
and the line a row starts on is its ordinal plus the header's line. Anything
else is read in Python, as before: this is only a shortcut for plain files.
"""

from __future__ import annotations

import csv

_NEVER_IN_PLAIN = (b'"', b"\x00", b"\\.")


def plain_rows(data: bytes) -> bytes | None:
    """The rows after the header line of ``data`` (a whole CSV file, UTF-8,
    possibly with a byte-order mark), or None when the text is not plain."""
    if any(marker in data for marker in _NEVER_IN_PLAIN):
        return None
    newline = _line_ending(data)
    if newline is None or newline * 2 in data:
        return None
    rows = data[data.index(newline) + len(newline) :]
    if rows.startswith(newline) or _longest_line(rows) >= csv.field_size_limit():
        return None
    return rows


def _longest_line(rows: bytes) -> int:
    """In bytes (a field's limit counts characters: this errs on the safe side)."""
    if len(rows) < csv.field_size_limit():
        return len(rows)
    return max(map(len, rows.split(b"\n")))


def _line_ending(data: bytes) -> bytes | None:
    r"""``\n`` or ``\r\n`` if every line ends so (COPY takes one kind per file),
    None for a mix, a lone ``\r`` or a header without rows."""
    crlf = data.count(b"\r\n")
    if crlf == 0 and b"\r" not in data and b"\n" in data:
        return b"\n"
    if crlf and crlf == data.count(b"\r") == data.count(b"\n"):
        return b"\r\n"
    return None
