"""`insights serve --workers 2`: every request's JSON line still reaches the log
(the workers configure the same handlers as the app), uvicorn's own lines come
in the same format, and /metrics adds up the requests of both workers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import TEST_SECRET

REQUESTS = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(600):  # bounded: about a minute on a loaded machine
        assert server.poll() is None, "serve exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not come up")


def test_two_workers_log_every_request_as_json_and_share_metrics(database_url, tmp_path, token):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSIGHTS_JWT_SECRET": TEST_SECRET,
        "INSIGHTS_DATA_DIR": str(tmp_path),
        "INSIGHTS_LOG_FORMAT": "json",
        "INSIGHTS_PROCESS_SCHEDULE": "false",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        auth = {"Authorization": f"Bearer {token('importer')}"}
        for n in range(REQUESTS):
            with httpx.Client(base_url=base, timeout=30) as http:  # a new connection each
                r = http.post(
                    "/graphql",
                    json={"query": "query Me { me { sub } }"},
                    headers={**auth, "X-Request-ID": f"w-{n}"},
                )
                assert r.status_code == 200 and r.headers["x-request-id"] == f"w-{n}"
        scraped = httpx.get(f"{base}/metrics", timeout=30).text
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, err = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    not_json = [line for line in err.splitlines() if line and not line.startswith("{")]
    assert not_json == [], not_json[:5]
    ids = {line.get("request_id") for line in lines if line["logger"] == "insights.request"}
    assert {f"w-{n}" for n in range(REQUESTS)} <= ids
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    served = sum(
        sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "insights_requests_total" and sample.labels.get("operation") == "Me"
    )
    assert served == REQUESTS
