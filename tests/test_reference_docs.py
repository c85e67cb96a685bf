"""The reference documents: generated ones match the code, the sample CSV files
ingest cleanly into a fresh database, the CLI prints a template per kind, and
every relative link in README.md and docs/ resolves inside the repository (a
fresh clone has nothing beside it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli import app
from server.ingest import ingest_directory
from server.ingest._specs import SPECS
from server.ingest.formats import KIND_DOCS, column_doc, template
from server.ingest.kinds import KINDS
from server.reference import generated_files

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_generated_reference_files_are_current(settings):
    """Regenerate with: python -m server.reference (or make contract)"""
    stale = [
        relative
        for relative, content in generated_files(settings).items()
        if not (ROOT / relative).is_file() or (ROOT / relative).read_text() != content
    ]
    assert not stale, f"out of date (run `python -m server.reference`): {stale}"


def test_every_column_of_every_kind_is_documented_with_an_example_that_parses():
    assert set(KIND_DOCS) == set(KINDS)
    for kind, spec in SPECS.items():
        assert set(KIND_DOCS[kind].columns) == {c.name for c in spec.columns}, kind
        for column in spec.columns:
            example = column_doc(kind, column.name).example
            assert example or not column.required, f"{kind}.{column.name} needs an example"
            if example and column.parse is not None:
                column.parse(example)  # raises ValueError with the reason


async def test_every_sample_csv_ingests_cleanly_into_a_fresh_database(engine):
    samples = ROOT / "examples" / "csv"
    assert sorted(p.stem for p in samples.glob("*.csv")) == sorted(KINDS)
    reports = await ingest_directory(engine, samples)
    assert [r.kind for r in reports] == list(KINDS)
    assert {r.kind: [str(e) for e in r.errors] for r in reports if r.errors} == {}
    assert all(r.accepted >= 1 for r in reports)


def test_cli_prints_a_template_per_kind_and_lists_kinds_in_its_help():
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "--template", "visits"])
    assert result.exit_code == 0
    assert result.stdout == template("visits")
    assert result.stdout.splitlines()[0] == ",".join(c.name for c in SPECS["visits"].columns)
    unknown = runner.invoke(app, ["ingest", "--template", "nope"])
    assert unknown.exit_code == 2
    help_text = " ".join(runner.invoke(app, ["ingest", "--help"]).stdout.split())
    for kind in KINDS:
        assert kind in help_text
    assert "YYYY-MM-DD" in help_text and "offset" in help_text


def _documents() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("document", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(document):
    text = document.read_text()
    assert "../shared" not in text, "points to a folder a clone does not have"
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (document.parent / target.split("#", 1)[0]).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)
    assert not broken, f"{document.name}: links that do not resolve in the repository: {broken}"
