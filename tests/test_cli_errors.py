"""Command-line and configuration mistakes: one clear line each, the right exit
code (1 bad input, 2 usage/configuration), never a traceback."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from server.cli import app as cli_app
from server.config import get_settings
from tests.oracle.fixtures import insert_importer, insert_partner, insert_workshop

ROOT = Path(__file__).resolve().parent.parent


def _main(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`insights ARGS` as a process (main() sets up logging before any command)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("INSIGHTS_")}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        env={**base, "INSIGHTS_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def _one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    text = (result.stdout + result.stderr).strip()
    assert "Traceback" not in text, text
    assert len(text.splitlines()) == 1, text
    return text


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("DATABASE_URL", "postgresql://u:p@host:notaport/db"),
        ("INSIGHTS_LOG_LEVEL", "LOUD"),
        ("INSIGHTS_FACTS_EARLIEST", "1066-10-14"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path, variable, value):
    result = _main(tmp_path, "migrate", **{variable: value})
    assert result.returncode == 2
    line = _one_clear_line(result)
    assert line.startswith(f"invalid configuration: {variable}:"), line


def test_an_unreachable_database_names_host_and_port(tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://u:p@127.0.0.1:{port}/insights"
    for command in (
        ["migrate"],
        ["process"],
        ["serve", "--port", str(port)],
        ["token", "--role", "importer", "--importer", "x"],
    ):
        result = _main(tmp_path, *command, DATABASE_URL=url)
        assert result.returncode == 1, result.stderr
        line = _one_clear_line(result)
        assert f"127.0.0.1:{port}" in line and "DATABASE_URL" in line, line


def _cli(database_url: str, *args: str) -> Result:
    """`insights ARGS` in-process against the test's database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["INSIGHTS_TODAY"] = "2026-11-24"
    os.environ["INSIGHTS_JWT_SECRET"] = "s" * 40
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli_app, list(args))
    finally:
        for name in ("DATABASE_URL", "INSIGHTS_TODAY", "INSIGHTS_JWT_SECRET"):
            os.environ.pop(name, None)
        get_settings.cache_clear()


async def _world(engine) -> None:
    async with engine.begin() as c:
        imp = await insert_importer(c, ref="imp")
        await insert_workshop(c, imp, ref="w1")
        partner = await insert_partner(c, imp)
        await c.execute(
            text("UPDATE sales_partners SET partner_ref = 'p1' WHERE id = :i"), {"i": partner}
        )


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["process", "--importer", "nope"], "unknown importer 'nope'"),
        (["token", "--role", "importer", "--importer", "nope"], "unknown importer 'nope'"),
        (
            ["token", "--role", "sales_partner", "--importer", "imp", "--partner", "p9"],
            "unknown partner 'p9'",
        ),
        (
            ["token", "--role", "workshop", "--importer", "imp", "--workshop", "w9"],
            "unknown workshop 'w9'",
        ),
    ],
    ids=["process", "token-importer", "token-partner", "token-workshop"],
)
async def test_unknown_refs_are_refused(engine, database_url, args, complaint):
    await _world(engine)
    result = await asyncio.to_thread(_cli, database_url, *args)
    assert result.exit_code == 1, result.output
    assert complaint in result.output
    assert "eyJ" not in result.output  # no token was printed


async def test_known_refs_still_work(engine, database_url):
    await _world(engine)
    for args in (
        ["process", "--importer", "imp"],
        ["token", "--role", "sales_partner", "--importer", "imp", "--partner", "p1"],
        ["token", "--role", "workshop", "--importer", "imp", "--workshop", "w1"],
    ):
        result = await asyncio.to_thread(_cli, database_url, *args)
        assert result.exit_code == 0, result.output


async def test_skip_invalid_counts_rejected_rows(engine, database_url, tmp_path):
    await _world(engine)
    path = tmp_path / "campaigns.csv"
    path.write_text(
        "campaign_ref,workshop_ref,sent_at,recipients\n"
        "c1,w1,2026-11-02T10:00:00+01:00,4\n"
        "c2,w1,2026-11-02T10:00:00,x\n"  # two errors, one row
        "c3,w9,2026-11-02T10:00:00+01:00,4\n"
    )
    result = await asyncio.to_thread(
        _cli, database_url, "ingest", "campaigns", str(path), "--skip-invalid"
    )
    assert result.exit_code == 0, result.output
    assert "campaigns: 1 rows accepted, 2 rejected" in result.output
    rejects = (tmp_path / "campaigns.csv.rejects.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in rejects[1:]] == ["c2", "c3"]
