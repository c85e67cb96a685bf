"""Write (or compare) every generated reference file."""

from __future__ import annotations

from pathlib import Path

from server.config import Settings
from server.ingest.formats import template
from server.ingest.kinds import KINDS
from server.reference import _csv_md, _metrics_md


def generated_files(settings: Settings) -> dict[str, str]:
    """Path relative to the repository root -> content, for every generated file."""
    files = {
        "docs/metrics.md": _metrics_md.render(settings),
        "docs/csv-formats.md": _csv_md.render(),
    }
    files |= {f"examples/csv/{kind}.csv": template(kind) for kind in KINDS}
    return files


def write_all(root: Path, settings: Settings) -> list[Path]:
    written = []
    for relative, content in generated_files(settings).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
    return written
