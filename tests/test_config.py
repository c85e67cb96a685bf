"""Configuration: read once from the environment; a wrong value stops start-up
with a message that names the variable (and, through the CLI, exit code 2)."""

import subprocess
import sys

import pytest

from server.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("INSIGHTS_PORT", "eighty"),
        ("INSIGHTS_TODAY", "2026-13-01"),
        ("INSIGHTS_LOG_LEVEL", "LOUD"),
        ("INSIGHTS_PROCESS_AT", "25:00"),
    ],
)
def test_a_wrong_value_names_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert variable in str(error.value)


def test_plain_postgres_urls_and_pinned_today(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/insights")
    monkeypatch.setenv("INSIGHTS_TODAY", "2026-11-24")
    settings = load_settings()
    assert settings.database_url == "postgresql://u:p@db:5432/insights"
    assert str(settings.today) == "2026-11-24"


def test_the_cli_stops_with_exit_code_2(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "INSIGHTS_PORT": "eighty", "INSIGHTS_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "INSIGHTS_PORT" in result.stderr


def test_development_secret_is_generated_once(tmp_path):
    from server.config import Settings

    first = Settings(data_dir=tmp_path).hs256_secret()
    assert first == Settings(data_dir=tmp_path).hs256_secret()
    assert len(first) >= 32
    with pytest.raises(ConfigError):
        Settings(data_dir=tmp_path / "prod", environment="production").hs256_secret()
