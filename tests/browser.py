"""Debian's chromium for browser tests, installed by the test setup when missing
(no Playwright browser download: Playwright drives the system binary)."""

from __future__ import annotations

import shutil
import subprocess

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str:
    """The path of ``chromium``, installing Debian's package first when absent."""
    found = shutil.which("chromium")
    if found:
        return found
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(install, check=True)
    found = shutil.which("chromium")
    assert found, "apt-get installed chromium but it is not on PATH"
    return found
