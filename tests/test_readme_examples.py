"""The README works as written: every GraphQL query in it is a file under
examples/queries/, and each file runs without errors for every role its first
line names (`# role: R` or `# roles: R1, R2`), over the sample CSV data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.ingest import ingest_directory

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "examples" / "queries"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.DOTALL)
ROLES = re.compile(r"^# roles?: (.+)$")

# The sample data's importer, and the claims a token of each role needs there.
IMPORTER = "acme"
CLAIMS: dict[str, dict[str, object]] = {
    "workshop": {"workshops": ["DK-W001"]},
    "sales_partner": {"partner": "DK-P01"},
}


def _roles(path: Path) -> list[str]:
    found = ROLES.match(path.read_text().splitlines()[0])
    assert found, f"{path.name} must start with '# role: R' or '# roles: R1, R2'"
    return [r.strip() for r in found.group(1).split(",")]


def _cases() -> list[tuple[str, str]]:
    return [(p.name, role) for p in sorted(QUERIES.glob("*.graphql")) for role in _roles(p)]


def test_every_readme_query_is_an_example_file_and_every_file_is_in_the_readme():
    in_readme = {block.strip() for block in BLOCK.findall((ROOT / "README.md").read_text())}
    files = {p.read_text().strip() for p in QUERIES.glob("*.graphql")}
    assert in_readme == files


@pytest.mark.parametrize(("name", "role"), _cases())
async def test_example_query_runs_for_the_role_it_names(name, role, engine, gql):
    reports = await ingest_directory(engine, ROOT / "examples" / "csv")
    assert not any(r.errors for r in reports)
    if name == "saved-filters.graphql":  # reads what save-filters.graphql keeps
        saved = (QUERIES / "save-filters.graphql").read_text()
        assert "errors" not in await gql(
            saved, role=role, importer=IMPORTER, **CLAIMS.get(role, {})
        )
    body = await gql(
        (QUERIES / name).read_text(), role=role, importer=IMPORTER, **CLAIMS.get(role, {})
    )
    assert body.get("errors") is None, body.get("errors")
    assert body["_status"] == 200
    data = body["data"]
    assert data and all(value is not None for value in data.values()), data
