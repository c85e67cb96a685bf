"""It installs like a product: a wheel of the project in a fresh venv, and every
`insights` command works from another directory against DATABASE_URL (the
migrations and assets ship inside the package).

Dependencies come from the project's venv through a .pth file, so the test
checks what the wheel carries without downloading anything."""

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("install")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work),
            str(ROOT),
        ],
        check=True,
        cwd=work,
    )
    (wheel,) = work.glob("insights-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
    )
    return env_dir


def test_every_subpackage_is_listed():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(("server", *init.parent.relative_to(ROOT / "server").parts))
        for init in (ROOT / "server").rglob("__init__.py")
    }
    assert found <= listed


def _insights(
    env_dir: Path, database_url: str, cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSIGHTS_JWT_SECRET": "s" * 40,
        "INSIGHTS_TODAY": "2026-11-24",
    }
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [env_dir / "bin" / "insights", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installed_commands_work_from_any_directory(installed, database_url, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    located = subprocess.run(
        [installed / "bin" / "python", "-c", "import server; print(server.__file__)"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        check=True,
    )
    assert str(installed) in located.stdout  # the wheel, not the checkout
    result = _insights(installed, database_url, elsewhere, "migrate")
    assert result.returncode == 0, result.stderr
    (elsewhere / "importers.csv").write_text("importer_ref,name\nimp,Importer\n")
    (elsewhere / "workshops.csv").write_text("workshop_ref,importer_ref,name\nw1,imp,One\n")
    result = _insights(installed, database_url, elsewhere, "ingest", ".")
    assert result.returncode == 0, result.stderr
    assert "workshops: 1 rows accepted" in result.stdout
    (elsewhere / "bad").mkdir()
    (elsewhere / "bad" / "campaigns.csv").write_text(
        "campaign_ref,workshop_ref,sent_at,recipients\nc1,w1,2026-11-02T10:00:00,5\n"
    )
    result = _insights(
        installed, database_url, elsewhere, "ingest", "campaigns", "bad/campaigns.csv"
    )
    assert result.returncode == 1 and "line 2 column sent_at" in result.stderr
    result = _insights(installed, database_url, elsewhere, "process")
    assert result.returncode == 0, result.stderr
    assert "imp: processed through 2026-11-23" in result.stdout
    result = _insights(installed, database_url, elsewhere, "schema", "--role", "workshop")
    assert result.returncode == 0 and "type ActivationsDashboard" in result.stdout
    assert "appUsers" not in result.stdout
    result = _insights(
        installed, database_url, elsewhere, "token", "--role", "importer", "--importer", "imp"
    )
    assert result.returncode == 0 and result.stdout.count(".") == 2
    result = _insights(installed, database_url, elsewhere, "process", "--from", "nope")
    assert result.returncode == 2
