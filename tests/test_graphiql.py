"""GraphiQL in a real Chromium: the page and its assets come from the API itself
(every other request is blocked, as offline), a demo token goes into the header
editor with one click, and the query runs against that token's role schema."""

import json

import pytest
from playwright.async_api import async_playwright

from server.app import create_app
from tests.browser import CHROMIUM_ARGS, chromium_executable
from tests.live import serving
from tests.oracle.fixtures import insert_importer, insert_workshop

QUERY = '{ me { role } __type(name: "ActivationsDashboard") { fields { name } } }'
_RESULT = """() => {
  const cm = document.querySelector('.graphiql-response .CodeMirror');
  return cm ? cm.CodeMirror.getValue() : '';
}"""


@pytest.fixture(scope="session")
def chromium_path():
    return chromium_executable()


async def _tenant(engine):
    async with engine.begin() as conn:
        imp = await insert_importer(conn, ref="imp", timezone="UTC")
        for ref in ("w1", "w2"):
            await insert_workshop(conn, imp, ref=ref)


async def test_graphiql_runs_queries_in_chromium_for_two_roles(
    settings, database_url, engine, chromium_path
):
    await _tenant(engine)
    app = create_app(settings, database_url=database_url, migrate=False)
    async with serving(app) as url, async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page()
            outside: list[str] = []

            async def local_only(route):
                if route.request.url.startswith(url):
                    await route.continue_()
                else:
                    outside.append(route.request.url)
                    await route.abort()

            await page.route("**/*", local_only)
            await page.goto(f"{url}/graphql")
            await page.wait_for_selector(".graphiql-container")
            tool_editors = await page.evaluate(
                "() => [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]"
                ".map(e => e.CodeMirror.getValue())"
            )
            assert any('"Authorization": "Bearer ' in value for value in tool_editors)
            seen = {}
            for role in ("importer", "workshop"):
                await page.click(f'#tokens button[data-role="{role}"]')
                await page.wait_for_selector(".graphiql-query-editor .CodeMirror")
                await page.evaluate(
                    "q => document.querySelector('.graphiql-query-editor .CodeMirror')"
                    ".CodeMirror.setValue(q)",
                    QUERY,
                )
                await page.click(".graphiql-execute-button")
                await page.wait_for_function(f'() => ({_RESULT})().includes(\'"role": "{role}"\')')
                seen[role] = json.loads(await page.evaluate(_RESULT))
            assert outside == []
        finally:
            await browser.close()
    importer_fields = {f["name"] for f in seen["importer"]["data"]["__type"]["fields"]}
    workshop_fields = {f["name"] for f in seen["workshop"]["data"]["__type"]["fields"]}
    assert "appUsers" in importer_fields and "workshopActivity" in importer_fields
    assert "newActivations" in workshop_fields
    assert not {"appUsers", "marketingCampaignsSent", "workshopActivity"} & workshop_fields


async def test_the_ide_and_its_token_helper_are_development_only(settings, database_url):
    production = settings.model_copy(update={"environment": "production"})
    app = create_app(production, database_url=database_url, migrate=False)
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 401
        assert (await http.get("/dev/tokens")).status_code == 404
        assert (await http.get("/graphiql-assets/graphiql.min.js")).status_code == 404
