"""docs/csv-formats.md: every kind in loading order, every column with its type,
whether it is required, its default, an example and its rule, and the upsert key;
plus the rules for bad input."""

from __future__ import annotations

from server.ingest._specs import SPECS
from server.ingest._values import OFFSET_EXAMPLE
from server.ingest.formats import KIND_DOCS, column_doc, column_type, template, upsert_key
from server.ingest.kinds import KINDS


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "-"


def _text(value: object) -> str:
    """A default as it is written in a file (``false``, not ``False``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _kind(kind: str) -> list[str]:
    spec, doc = SPECS[kind], KIND_DOCS[kind]
    key = upsert_key(spec)
    lines = [f"### `{kind}`", "", doc.row, ""]
    if key:
        lines.append(
            "Key: " + ", ".join(f"`{k}`" for k in key) + " within the importer (re-sending "
            "a row with the same key updates it)."
        )
    if doc.note:
        lines.append(doc.note)
    lines += [
        f"Sample: [`examples/csv/{kind}.csv`](../examples/csv/{kind}.csv).",
        "",
        "| column | type | required | default | example | meaning and rule |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for column in spec.columns:
        words = column_doc(kind, column.name)
        default = "-" if column.default is None else f"`{_text(column.default)}`"
        example = f"`{words.example}`" if words.example else "(empty)"
        lines.append(
            f"| `{column.name}` | {column_type(column)} | {'yes' if column.required else 'no'} "
            f"| {default} | {example} | {_cell(words.text)} |"
        )
    lines += ["", "```csv", template(kind).rstrip("\n"), "```", ""]
    return lines


def render() -> str:
    lines = [
        "# CSV formats",
        "",
        "<!-- Generated from server/ingest (the kind specs and formats.py) by",
        "     `python -m server.reference`; do not edit by hand. -->",
        "",
        "Integrations deliver data as one CSV file per kind. The same columns are the",
        "input fields (in camelCase) of the integration role's `ingest<Kind>` mutations",
        "and the body of `POST /ingest/{kind}` (see [api.md](api.md)).",
        "",
        "## The files",
        "",
        "- UTF-8, comma-separated, a header row first; columns in any order; unknown",
        "  columns are an error, so are missing required ones.",
        "- An empty cell is null. An optional column missing from the header keeps the",
        "  stored value of an updated row (a present but empty cell clears it).",
        f"- Timestamps are ISO 8601 **with an offset** (`{OFFSET_EXAMPLE}`); a timestamp",
        "  without one is rejected. A timestamp counts on the calendar day it falls on",
        "  in the importer's timezone.",
        "- Dates are `YYYY-MM-DD`; booleans `true` / `false`; fractions 0..1 (35 % is",
        "  `0.35`); enum values are case-insensitive.",
        "- References (`*_ref`, `vin`) are the sender's own strings, unique within",
        "  their importer; they are the `id` fields of the API.",
        "",
        "## Loading",
        "",
        "`insights ingest KIND FILE` loads one file; `insights ingest DIR` loads every",
        "`KIND.csv` in DIR in this order, reference data first, and stops at the first",
        "file with errors: " + ", ".join(f"`{k}`" for k in KINDS) + ".",
        "`insights ingest --template KIND` prints a header and an example row.",
        "",
        "Loading a file changes data only; the dashboards show it after the next",
        "`insights process` (daily, or run it yourself).",
        "",
        "## Bad input",
        "",
        "A file is checked completely before anything is written, and one file is one",
        "transaction. Every bad row is reported with its line (the header is line 1),",
        "the column and a reason that says what to fix: an unknown reference, a",
        "timestamp without offset, `departed_at` before `arrived_at`, a rating outside",
        "1..5, a response that needs `responded_at`, a key repeated within the file.",
        "With any bad row nothing is written and the command exits with 1.",
        "`--skip-invalid` loads the good rows and writes the bad ones, with their",
        "reasons, to `<file>.rejects.csv` next to the file.",
        "",
        "## Kinds",
        "",
    ]
    for kind in KINDS:
        lines += _kind(kind)
    return "\n".join(lines).rstrip() + "\n"
