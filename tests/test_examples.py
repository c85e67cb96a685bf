"""The client examples against a real server: examples/partner_tool.py (a trusted
document by hash, for a trusted-only role; APQ where the manifest lacks it) and
examples/web/ (a static page on another origin: CORS and persisted GET queries,
in Chromium)."""

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles

from server.app import create_app
from server.trusted_documents import sha256_of
from tests.browser import CHROMIUM_ARGS, chromium_executable
from tests.live import serving
from tests.test_partner_dashboard import NAMES, P, Q, build_world

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOOL_DOCUMENT = (EXAMPLES / "partner_dashboard.graphql").read_text()


async def _tool(url, token):
    env = {**os.environ, "INSIGHTS_URL": f"{url}/graphql", "INSIGHTS_TOKEN": token}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "partner_tool.py"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def test_partner_tool_runs_its_trusted_document(
    settings, database_url, engine, token, tmp_path
):
    await build_world(engine)
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({sha256_of(TOOL_DOCUMENT): TOOL_DOCUMENT}))
    trusted = settings.model_copy(
        update={"trusted_documents": manifest, "trusted_only_roles": "sales_partner"}
    )
    async with serving(create_app(trusted, database_url=database_url, migrate=False)) as url:
        code, out, err = await _tool(url, token("sales_partner", partner=P))
    assert code == 0, err
    assert out.startswith(f"{NAMES[P]} ({P}), ")
    assert "Offers received" in out and "Conversion rate" in out
    assert NAMES[Q] not in out


async def test_partner_tool_falls_back_to_apq_without_a_manifest(
    settings, database_url, engine, token
):
    await build_world(engine)
    async with serving(create_app(settings, database_url=database_url, migrate=False)) as url:
        code, out, err = await _tool(url, token("partner_manager"))
        assert code == 0, err
        assert NAMES[P] in out and NAMES[Q] in out
        code, _, err = await _tool(url, "not-a-token")
    assert code == 1 and "UNAUTHENTICATED" in err


@pytest.fixture(scope="session")
def chromium_path():
    return chromium_executable()


async def test_web_example_shows_a_dashboard_from_another_origin(
    settings, database_url, engine, token, chromium_path
):
    await build_world(engine)
    static = Starlette()
    static.mount("/", StaticFiles(directory=EXAMPLES / "web", html=True))
    async with serving(static) as page_origin:
        api_settings = settings.model_copy(update={"cors_origins": page_origin})
        api_app = create_app(api_settings, database_url=database_url, migrate=False)
        async with serving(api_app) as api, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium_path, args=CHROMIUM_ARGS
            )
            try:
                page = await browser.new_page()
                calls = []
                page.on(
                    "request",
                    lambda r: calls.append((r.method, r.url)) if r.url.startswith(api) else None,
                )
                jwt = token("sales_partner", partner=P)
                await page.goto(f"{page_origin}/index.html#api={api}/graphql&token={jwt}")
                await page.wait_for_selector(f'section[data-partner="{P}"]')
                text = await page.inner_text("#dashboards")
                report = await page.get_attribute("a.report", "href")
            finally:
                await browser.close()
    assert NAMES[P] in text and "Offers received" in text and NAMES[Q] not in text
    assert report.startswith(f"{api}/reports/partners/{P}.pdf?")
    graphql_calls = [(m, u) for m, u in calls if m != "OPTIONS" and "/graphql" in u]
    methods = [m for m, _ in graphql_calls]
    assert methods == ["GET", "POST", "GET"]  # hash unknown -> registered -> hash only
    assert "persistedQuery" in graphql_calls[-1][1] and "query=" not in graphql_calls[-1][1]
