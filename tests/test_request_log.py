"""One log line per request, in the configured format, with who asked, what,
how it ended and what it cost; client mistakes at INFO without a traceback,
bugs at ERROR with one; X-Request-ID validated or generated, and returned."""

from __future__ import annotations

import io
import json
import logging

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.routing import Route

from server.app import create_app
from server.observability.logging import configure
from tests.oracle.fixtures import insert_importer, insert_workshop


@pytest.fixture
def json_log():
    """The process's logging as `serve` sets it up (JSON), into a buffer."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure("json", "INFO")
    buffer = io.StringIO()
    for handler in root.handlers:
        handler.setStream(buffer)  # type: ignore[attr-defined]
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.handlers[:], root.level = saved


async def _boom(request):
    raise RuntimeError("a bug")


@pytest.fixture
async def http(settings, database_url):
    app = create_app(settings, database_url=database_url, migrate=False)
    app.router.routes.append(Route("/boom", _boom))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def _requests(lines):
    return [line for line in lines if line["logger"] == "insights.request"]


async def test_one_json_line_per_request_with_who_what_and_cost(http, engine, token, json_log):
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp")
        await insert_workshop(conn, imp, ref="w1")
    jwt = token("importer", sub="alice")
    response = await http.post(
        "/graphql",
        json={"query": "query Shops { workshops(first: 5) { nodes { id } } }"},
        headers={"Authorization": f"Bearer {jwt}", "X-Request-ID": "trace-42.a:b"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-42.a:b"
    [line] = _requests(json_log())
    assert line["level"] == "INFO"
    assert {k: line[k] for k in ("request_id", "sub", "role", "importer", "operation")} == {
        "request_id": "trace-42.a:b",
        "sub": "alice",
        "role": "importer",
        "importer": "imp",
        "operation": "Shops",
    }
    assert line["status"] == 200 and line["error_codes"] == []
    assert line["sql_statements"] >= 1
    assert isinstance(line["duration_ms"], float)
    assert "exc_info" not in line


async def test_client_mistakes_are_info_without_traceback(http, token, json_log):
    jwt = token("workshop", workshops=["w1"])
    bad = await http.post(
        "/graphql",
        json={"query": "{ appUsers }", "operationName": None},
        headers={"Authorization": f"Bearer {jwt}", "X-Request-ID": "bad id with spaces"},
    )
    generated = bad.headers["x-request-id"]
    assert generated != "bad id with spaces" and len(generated) == 32
    unauthenticated = await http.post("/graphql", json={"query": "{ me { sub } }"})
    assert unauthenticated.status_code == 401
    lines = _requests(json_log())
    assert [line["level"] for line in lines] == ["INFO", "INFO"]
    assert (
        lines[0]["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"] and lines[0]["role"] == "workshop"
    )
    assert lines[0]["request_id"] == generated
    assert lines[1]["error_codes"] == ["UNAUTHENTICATED"] and lines[1]["sub"] is None
    assert not any("exc_info" in line for line in json_log())


async def test_a_bug_is_error_with_traceback_and_request_id(http, token, json_log, monkeypatch):
    crashed = await http.get("/boom", headers={"X-Request-ID": "r-boom"})
    assert crashed.status_code == 500
    [line] = _requests(json_log())
    assert line["level"] == "ERROR" and line["request_id"] == "r-boom"
    assert "RuntimeError: a bug" in line["exc_info"]

    async def broken(*args, **kwargs):
        raise RuntimeError("a resolver bug")

    monkeypatch.setattr("server.resolvers.tenancy.importer_and_version", broken)
    jwt = token("importer")
    answer = await http.post(
        "/graphql",
        json={"query": "{ importer { name } }"},
        headers={"Authorization": f"Bearer {jwt}", "X-Request-ID": "r-gql"},
    )
    assert answer.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    lines = json_log()
    traced = [line for line in lines if "a resolver bug" in line.get("exc_info", "")]
    assert traced and all(line["request_id"] == "r-gql" for line in traced)
    assert all(line["level"] == "ERROR" for line in traced)
    [request_line] = [line for line in _requests(lines) if line["request_id"] == "r-gql"]
    assert request_line["level"] == "ERROR" and request_line["error_codes"] == ["INTERNAL"]


def test_text_format_is_one_plain_line(capsys):
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure("text", "INFO")
        logging.getLogger("insights.request").info("GET /healthz 200")
    finally:
        root.handlers[:], root.level = saved
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith("insights.request [None] GET /healthz 200")
