"""reportUrl: a short-lived signed link to the partner dashboard's PDF that a
browser opens without a token; the signature binds the caller's scope, the
partner and the filters, and it expires."""

from urllib.parse import parse_qs, urlsplit

import pytest

from server.errors import Unauthenticated
from server.reports.links import principal_from_link
from tests.test_partner_dashboard import P, Q, build_world

QUERY = """query($id: ID!) { salesPartner(id: $id) {
  dashboard(filter: {period: {preset: LAST_30_DAYS}, source: MARKETPLACE}) { reportUrl } } }"""


async def _report_url(gql, ref=P, role="importer", **claims):
    body = await gql(QUERY, {"id": ref}, role=role, **claims)
    assert "errors" not in body, body
    return body["data"]["salesPartner"]["dashboard"]["reportUrl"]


def _split(url):
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


async def test_the_link_opens_the_pdf_without_a_token(client, gql, engine):
    await build_world(engine)
    url = await _report_url(gql)
    assert url.startswith("http://test/reports/partners/")
    path, params = _split(url)
    assert params["preset"] == "LAST_30_DAYS" and params["source"] == "MARKETPLACE"
    r = await client.get(path, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path, params: (path, {**params, "source": "ALL"}),  # another filter
        lambda path, params: (path.replace(P, Q), params),  # another partner
        lambda path, params: (path, {**params, "p": params["p"][:-2] + "xx"}),  # another caller
        lambda path, params: (path, {k: v for k, v in params.items() if k != "sig"} | {"sig": "x"}),
    ],
    ids=["filter", "partner", "caller", "signature"],
)
async def test_a_changed_link_is_refused(client, gql, engine, tamper):
    await build_world(engine)
    path, params = tamper(*_split(await _report_url(gql)))
    r = await client.get(path, params=params)
    assert r.status_code == 401
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_link_expires(gql, engine, settings):
    await build_world(engine)
    path, params = _split(await _report_url(gql))
    expires = int(params["exp"])
    assert principal_from_link(settings, path, params, now=expires).role.value == "importer"
    with pytest.raises(Unauthenticated, match="expired"):
        principal_from_link(settings, path, params, now=expires + 1)
    assert settings.report_link_ttl_seconds == 300  # the default lifetime: 5 minutes


async def test_the_link_keeps_the_callers_scope(client, gql, engine):
    """A sales partner's link prints as that sales partner: competitors anonymised."""
    await build_world(engine)
    url = await _report_url(gql, P, "sales_partner", partner=P)
    path, params = _split(url)
    r = await client.get(path, params=params)
    assert r.status_code == 200
    # the same scope cannot reach another partner, whatever the link says
    r = await client.get(path.replace(P, Q), params=params)
    assert r.status_code == 401
