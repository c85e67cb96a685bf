"""The published contract: the committed SDL per role (docs/schema/) is what the
code serves, and nothing the last release (docs/schema/released/) offered was
removed or changed incompatibly. Regenerate the current SDL with
`insights schema --write docs/schema`; record a release with a version bump in
pyproject.toml, a CHANGELOG.md entry and
`insights schema --write docs/schema/released --release X.Y.Z`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from graphql import build_schema as parse_sdl
from graphql import find_breaking_changes

from server.auth.principal import Role
from server.schema.build import build_schema
from server.schema.publish import VERSION_FILE, sdl

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schema"
RELEASED = SCHEMAS / "released"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.strip().split("."))


def _project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


@pytest.mark.parametrize("role", list(Role))
def test_committed_sdl_is_current(role, settings):
    """Regenerate with: insights schema --write docs/schema"""
    expected = (SCHEMAS / f"{role.value}.graphql").read_text()
    assert sdl(role, settings) == expected, (
        f"docs/schema/{role.value}.graphql is out of date: run `insights schema --write docs/schema`"
    )


@pytest.mark.parametrize("role", list(Role))
def test_no_breaking_change_since_the_last_release(role, settings):
    released = parse_sdl((RELEASED / f"{role.value}.graphql").read_text())
    current = build_schema(role, settings)._schema
    changes = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(released, current)]
    assert not changes, (
        f"breaking changes for role {role.value} since release "
        f"{(RELEASED / VERSION_FILE).read_text().strip()}: {changes}. Undo them, or release: "
        "bump the version in pyproject.toml, describe them in CHANGELOG.md and run "
        "`insights schema --write docs/schema/released --release X.Y.Z`"
    )


def test_the_release_is_recorded_in_the_changelog_and_not_ahead_of_the_project():
    released = (RELEASED / VERSION_FILE).read_text().strip()
    headings = re.findall(r"^## \[?(\d+\.\d+\.\d+)\]?", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert released in headings, f"CHANGELOG.md has no '## {released}' entry"
    assert _version(released) <= _version(_project_version())
