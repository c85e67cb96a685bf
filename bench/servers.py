"""The processes ``insights bench`` measures: ``insights serve`` (uvicorn, production
settings) and PostGraphile 4 on the same database, each a subprocess stopped
when the block ends, plus their memory.

PostGraphile is installed by the bench with npm into ``bench/out/peer``
(git-ignored); when that fails the bench goes on without a peer and says why.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from bench.databases import OUT

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = OUT / "peer"
PEER_PACKAGES = (
    "postgraphile@4",
    "@graphile/pg-aggregates@0.1",
    "postgraphile-plugin-connection-filter@2",
)
BENCH_SECRET = "bench-secret-" + "x" * 40


class ServerFailed(RuntimeError):
    """A server did not come up (its log tail is in the message)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Running:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def rss_mib(self) -> dict[str, float]:
        """Resident memory of the server process and each of its children (workers)."""
        return {str(pid): _rss_mib(pid) for pid in [self.process.pid, *_children(self.process.pid)]}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def _wait_ready(running: Running, path: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            break
        try:
            if httpx.get(running.base_url + path, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    tail = running.log.read_text(errors="replace")[-2000:] if running.log.exists() else ""
    raise ServerFailed(f"{running.base_url} did not answer {path} in {seconds:.0f} s:\n{tail}")


@contextmanager
def _process(
    command: list[str], env: dict[str, str], log: Path, cwd: Path
) -> Iterator[subprocess.Popen[bytes]]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def insights(database_url: str, *, today: date, workers: int = 1) -> Iterator[Running]:
    """``insights serve`` as in production (environment=production, no GraphiQL,
    WARNING logs, no scheduler) on a free port, ``today`` pinned to the data set's."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSIGHTS_ENVIRONMENT": "production",
        "INSIGHTS_JWT_SECRET": BENCH_SECRET,
        "INSIGHTS_TODAY": today.isoformat(),
        "INSIGHTS_PROCESS_SCHEDULE": "false",
        "INSIGHTS_LOG_LEVEL": "WARNING",
        # A benchmark is one client hammering on purpose: no per-principal rate limit.
        "INSIGHTS_RATE_LIMIT": "0",
        "INSIGHTS_DATA_DIR": str(OUT / "serve"),
    }
    command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    log = OUT / f"insights-{port}.log"
    with _process(command, env, log, ROOT) as process:
        running = Running(process, f"http://127.0.0.1:{port}", log)
        _wait_ready(running, "/healthz", 60)
        yield running


def install_peer() -> str | None:
    """Install PostGraphile into ``bench/out/peer``; None when done, else why not."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found: install Node.js 20+ to compare with PostGraphile"
    if (PEER_DIR / "node_modules" / ".bin" / "postgraphile").exists():
        return None
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    (PEER_DIR / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", *PEER_PACKAGES],
        cwd=PEER_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        return f"npm install failed: {done.stderr.strip()[-300:]}"
    return None


def _peer_connection(database_url: str) -> str:
    """A node-postgres connection string for the (Unix-socket) database URL."""
    parts = urlsplit(database_url)
    host = parse_qs(parts.query).get("host", [""])[0]
    user = parts.username or "postgres"
    database = parts.path.lstrip("/")
    if host:
        return f"postgres://{user}@/{database}?host={host}"
    return f"postgres://{user}@{parts.hostname}:{parts.port or 5432}/{database}"


@contextmanager
def postgraphile(database_url: str) -> Iterator[Running]:
    """PostGraphile 4 with pg-aggregates and connection-filter over schema public."""
    port = free_port()
    binary = PEER_DIR / "node_modules" / ".bin" / "postgraphile"
    command = [
        str(binary),
        "-c",
        _peer_connection(database_url),
        "--schema",
        "public",
        "--append-plugins",
        "@graphile/pg-aggregates,postgraphile-plugin-connection-filter",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--disable-graphiql",
        "--disable-query-log",
    ]
    log = OUT / f"postgraphile-{port}.log"
    with _process(command, dict(os.environ), log, PEER_DIR) as process:
        running = Running(process, f"http://127.0.0.1:{port}", log)
        _wait_ready(running, "/graphql", 90)
        yield running


def wait_warm(running: Running, seconds: float, in_a_row: int = 1) -> float | None:
    """Seconds until ``in_a_row`` answers of ``/readyz`` in a row, each on a new
    connection (so with several workers any of them may answer), report the
    in-process copies (distinct counts and day rollups) warm; None when that did
    not happen within ``seconds``.

    Requests before that run on the SQL fallback while the copies load in the
    background: at full scale that is minutes, and timing warm figures then
    would measure the load instead."""
    started = time.monotonic()
    streak = 0
    while time.monotonic() - started < seconds:
        try:
            body = httpx.get(running.base_url + "/readyz", timeout=10).json()
        except (httpx.HTTPError, ValueError):
            body = {}
        warm = body.get("distinctCache") == "warm" and body.get("dayCopy", "off") in ("warm", "off")
        streak = streak + 1 if warm else 0
        if streak >= in_a_row:
            return round(time.monotonic() - started, 1)
        time.sleep(0.2 if streak else 1.0)
    return None
