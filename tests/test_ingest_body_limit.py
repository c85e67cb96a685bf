"""POST /ingest/{kind} over real HTTP (uvicorn on a random port): a body over
INSIGHTS_MAX_INGEST_BYTES answers 413 in JSON, also when the client is still
sending it (the server drains the rest instead of resetting the connection),
and the connection stays usable for the next request."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn

from server.app import create_app
from tests.oracle.fixtures import insert_importer, insert_workshop

CAP = 1_048_576
HEADER = b"campaign_ref,workshop_ref,sent_at,recipients\n"


@pytest.fixture
def served(settings, database_url) -> Iterator[str]:
    """The app behind a real uvicorn on a free port, in a thread; yields its URL."""
    settings.max_ingest_bytes = CAP
    app = create_app(settings, database_url=database_url, migrate=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:  # readiness, not timing: nothing is asserted about it
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


async def _rows(count: int) -> AsyncIterator[bytes]:
    """A CSV body streamed in chunks (no Content-Length: chunked transfer)."""
    yield HEADER
    row = b"c%09d,w1,2026-11-02T10:00:00+01:00,40\n"
    for start in range(0, count, 10_000):
        yield b"".join(row % i for i in range(start, min(count, start + 10_000)))


async def test_a_body_over_the_cap_is_413_not_a_reset(served, engine, token):
    async with engine.begin() as c:
        await insert_workshop(c, await insert_importer(c, ref="imp"), ref="w1")
    auth = {"Authorization": f"Bearer {token('integration')}", "Content-Type": "text/csv"}
    async with httpx.AsyncClient(base_url=served, timeout=120) as http:
        small = await http.post("/ingest/campaigns", content=_rows(100), headers=auth)
        assert small.status_code == 200, small.text
        assert small.json()["accepted"] == 100
        # ~32 MB, 30 times the cap, streamed without a declared length
        large = await http.post("/ingest/campaigns", content=_rows(800_000), headers=auth)
        assert large.status_code == 413
        error = large.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "INSIGHTS_MAX_INGEST_BYTES" in error["message"]
        # the same, with a declared Content-Length
        body = b"".join([chunk async for chunk in _rows(800_000)])
        declared = await http.post("/ingest/campaigns", content=body, headers=auth)
        assert declared.status_code == 413
        again = await http.post("/ingest/campaigns", content=_rows(10), headers=auth)
        assert again.status_code == 200
