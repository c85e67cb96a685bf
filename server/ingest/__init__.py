"""CSV validation and loading (DOMAIN.md, "Files" and "Bad input").

Every kind of file an integration sends is validated row by row, then written in
one transaction with COPY into a staging table and one set-based upsert, marking
the days the change touches for the daily processing.
"""

from server.ingest._window import FactWindow
from server.ingest.kinds import KINDS, UnknownKind
from server.ingest.load import ingest_csv_text, ingest_directory, ingest_file, ingest_rows
from server.ingest.report import IngestReport, RowError

__all__ = [
    "KINDS",
    "FactWindow",
    "IngestReport",
    "RowError",
    "UnknownKind",
    "ingest_csv_text",
    "ingest_directory",
    "ingest_file",
    "ingest_rows",
]
