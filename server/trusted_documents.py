"""The trusted documents manifest (``INSIGHTS_TRUSTED_DOCUMENTS``): a JSON object
``{"<sha256 hex>": "<GraphQL document>"}`` of the documents partner tools and
integrations are allowed to run. Roles in ``INSIGHTS_TRUSTED_ONLY_ROLES`` run
nothing else. ``insights documents add`` validates documents and writes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLError, parse, validate

from server.config import ConfigError

_SETTING = "INSIGHTS_TRUSTED_DOCUMENTS"


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_manifest(path: Path | None) -> dict[str, str]:
    """The manifest at ``path`` ({} when unset or not yet written).

    Raises:
        ConfigError: unreadable, not a JSON object of strings, or a hash that is
            not the SHA-256 of its document.
    """
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{_SETTING}: cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ConfigError(f"{_SETTING}: {path} must be a JSON object of hash -> document")
    for digest, document in data.items():
        if sha256_of(document) != digest.lower():
            raise ConfigError(f"{_SETTING}: {path}: {digest[:12]}… is not the document's SHA-256")
    return {k.lower(): v for k, v in data.items()}


@dataclass(frozen=True)
class Checked:
    """A document checked against every role's schema."""

    path: str
    sha256: str
    document: str
    valid_for: tuple[str, ...]
    problems: tuple[str, ...]


def check_documents(files: Iterable[Path], schemas: Mapping[str, object]) -> list[Checked]:
    """Parse each file and validate it against every role's schema (``schemas``:
    role -> strawberry.Schema). A document is accepted when at least one role can
    run it; the roles it is valid for are reported."""
    checked = []
    for file in files:
        document = file.read_text(encoding="utf-8")
        try:
            ast = parse(document)
        except GraphQLError as exc:
            checked.append(Checked(str(file), sha256_of(document), document, (), (exc.message,)))
            continue
        valid, problems = [], []
        for role, schema in schemas.items():
            errors = validate(schema._schema, ast)  # type: ignore[attr-defined]
            if errors:
                problems.append(f"{role}: {errors[0].message}")
            else:
                valid.append(role)
        shown = () if valid else tuple(problems)
        checked.append(Checked(str(file), sha256_of(document), document, tuple(valid), shown))
    return checked


def add_to_manifest(path: Path, documents: Iterable[Checked]) -> dict[str, str]:
    """Write ``documents`` into the manifest at ``path`` (kept sorted by hash)."""
    manifest = load_manifest(path)
    for doc in documents:
        manifest[doc.sha256] = doc.document
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = dict(sorted(manifest.items()))
    path.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return ordered
