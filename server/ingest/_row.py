"""What a row builder works with: the current line, the error list, and the
resolution of small refs with the messages that say what to fix."""

from __future__ import annotations

from server.ingest._refs import Refs
from server.ingest.report import RowError

OUTSIDE_SCOPE = "refs outside the integration's importer are unknown refs"


class RowContext:
    """Handed to a kind's builder for each row; errors land on ``self.line``."""

    def __init__(self, refs: Refs, errors: list[RowError]) -> None:
        self.refs = refs
        self.errors = errors
        self.line = 0

    @property
    def scoped(self) -> bool:
        return self.refs.scope is not None

    def error(self, column: str | None, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))

    def importer(self, ref: object) -> int | None:
        """The id of an existing importer named in column importer_ref."""
        if not isinstance(ref, str):
            return None  # missing: already reported
        importer_id = self.refs.importers.get(ref)
        if importer_id is None:
            self.error("importer_ref", self._unknown_importer(ref))
        return importer_id

    def own_importer(self, ref: object) -> bool:
        """For the importers file itself: may this row be written at all?"""
        if isinstance(ref, str) and self.scoped and ref != self.refs.scope:
            self.error("importer_ref", self._unknown_importer(ref))
            return False
        return True

    def ref_in(self, label: str, column: str, ref: object, importer_id: int | None) -> int | None:
        """The id of ``ref`` inside one importer (None if unknown or not sent)."""
        if not isinstance(ref, str) or importer_id is None:
            return None
        row_id = self.refs.tables[label].within.get((importer_id, ref))
        if row_id is None:
            owner = self.refs.importer_refs.get(importer_id, "?")
            self.error(column, f"unknown {column} '{ref}' in importer '{owner}'")
        return row_id

    def ref_anywhere(self, label: str, column: str, ref: object) -> tuple[int, int] | None:
        """``(importer_id, id)`` of a ref that names its importer implicitly."""
        if not isinstance(ref, str):
            return None
        found = self.refs.tables[label].anywhere.get(ref)
        if found is None:
            where = f" in importer '{self.refs.scope}'" if self.scoped else ""
            self.error(column, f"unknown {column} '{ref}'{where}")
            return None
        if len(found) > 1:
            owners = ", ".join(sorted(self.refs.importer_refs[i] for i, _ in found))
            self.error(
                column,
                f"{column} '{ref}' exists in several importers ({owners}): "
                "pass --importer to say which one this file is for",
            )
            return None
        return found[0]

    def _unknown_importer(self, ref: str) -> str:
        if self.scoped and ref != self.refs.scope:
            return f"unknown importer_ref '{ref}': {OUTSIDE_SCOPE}"
        return f"unknown importer_ref '{ref}': load it in importers first"
