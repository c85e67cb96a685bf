"""The published contract: one SDL file per role, written from the code.

``docs/schema/<role>.graphql`` is the current schema (a test fails when the code
drifts from it); ``docs/schema/released/`` holds the SDL of the last release with
its version, and a test runs graphql-core's ``find_breaking_changes`` between the
two, so a rename or removal needs a deliberate release (version bump, CHANGELOG
entry, ``insights schema --release``)."""

from __future__ import annotations

from pathlib import Path

from server.auth.principal import Role
from server.config import Settings
from server.schema.build import build_schema

VERSION_FILE = "VERSION"


def sdl(role: Role, settings: Settings) -> str:
    """The role's schema as SDL, ending in a newline (as committed)."""
    return build_schema(role, settings).as_str() + "\n"


def write_sdl(directory: Path, settings: Settings) -> list[Path]:
    """Write ``<role>.graphql`` for every role into ``directory``; returns the files."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for role in Role:
        path = directory / f"{role.value}.graphql"
        path.write_text(sdl(role, settings))
        written.append(path)
    return written


def release(directory: Path, version: str, settings: Settings) -> list[Path]:
    """Record the current SDL as released ``version`` (with a ``VERSION`` file)."""
    written = write_sdl(directory, settings)
    (directory / VERSION_FILE).write_text(version + "\n")
    return written
