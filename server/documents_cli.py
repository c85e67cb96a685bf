"""``insights documents add FILE.graphql…``: put documents into the trusted
manifest after validating each against every role's schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from server.config import ConfigError, get_settings
from server.schema.build import build_schemas
from server.trusted_documents import add_to_manifest, check_documents

documents = typer.Typer(
    help="Trusted documents (INSIGHTS_TRUSTED_DOCUMENTS).", no_args_is_help=True
)
_err = Console(stderr=True)
_out = Console()


@documents.command("add")
def add(
    files: Annotated[list[Path], typer.Argument(help="GraphQL files, one operation document each")],
    manifest: Annotated[
        Path | None,
        typer.Option(help="manifest to write (default: INSIGHTS_TRUSTED_DOCUMENTS)"),
    ] = None,
) -> None:
    """Validate each document against every role's schema and write it to the
    manifest; prints each hash with the roles that can run it. Nothing is written
    when any document is invalid for every role (exit 1)."""
    try:
        settings = get_settings()
        target = manifest or settings.trusted_documents
    except ConfigError as exc:
        _err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if target is None:
        _err.print("[red]give --manifest PATH or set INSIGHTS_TRUSTED_DOCUMENTS[/red]")
        raise typer.Exit(2)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        _err.print(f"[red]no such file: {', '.join(missing)}[/red]")
        raise typer.Exit(1)
    schemas = {role.value: schema for role, schema in build_schemas(settings).items()}
    checked = check_documents(files, schemas)
    bad = [c for c in checked if not c.valid_for]
    for doc in bad:
        _err.print(f"[red]{doc.path}: valid for no role: {'; '.join(doc.problems)}[/red]")
    if bad:
        raise typer.Exit(1)
    try:
        add_to_manifest(target, checked)
    except ConfigError as exc:
        _err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    for doc in checked:
        _out.print(f"{doc.sha256}  {doc.path}  (roles: {', '.join(doc.valid_for)})")
