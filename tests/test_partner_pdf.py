"""GET /reports/partners/{id}.pdf: the printed partner dashboard, over HTTP, with
the hand-built data of test_partner_dashboard (its figures are worked out there)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pypdfium2
import pytest
from asgi_lifespan import LifespanManager
from pypdf import PdfReader
from starlette.routing import Route

from server.reports import format_value, theme
from server.reports.route import partner_report_pdf
from tests.test_partner_dashboard import DAY, NAMES, H, P, Q, R, build_world

PATH = "/reports/partners/{id}.pdf"


@pytest.fixture
async def pdf_client(settings, database_url) -> AsyncIterator[httpx.AsyncClient]:
    from server.app import create_app

    app = create_app(settings, database_url=database_url, migrate=False)
    if not any(getattr(route, "path", None) == PATH for route in app.router.routes):
        app.router.routes.append(Route(PATH, partner_report_pdf))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


@pytest.fixture
def get_pdf(pdf_client, token):
    async def get(partner: str, role: str | None = "importer", claims=None, **params):
        jwt = token(role, **(claims or {})) if role else None
        headers = {"Authorization": f"Bearer {jwt}"} if jwt else {}
        return await pdf_client.get(
            f"/reports/partners/{partner}.pdf", params=params, headers=headers
        )

    return get


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_importer_gets_the_current_month_by_default(get_pdf, engine, tmp_path: Path):
    await build_world(engine)
    response = await get_pdf(P)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'inline; filename="partner-p-north-2026-11-01-2026-11-23.pdf"'
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert "Autohaus Nord" in text
    assert "Current month: 2026-11-01 to 2026-11-23 (23 days)" in text
    assert "2026-10-01 to 2026-10-23 (23 days)" in text
    assert "Source: All" in text
    assert "Data as of 2026-11-23" in text
    figures = {
        "pickRate": format_value("rate", 3 / 7),  # 42.9 %
        "timeToAccept": format_value("seconds", 4200),  # 1 h 10 min
        "timeToDecline": format_value("seconds", 2700),  # 45 min
        "salesCycle": format_value("seconds", 9 * DAY),  # 9 days
        "feedbackRate": format_value("rate", 2 / 3),  # 66.7 %
        "leadRating": format_value("rating", 3.0),  # 3.0 / 5
        "timeToFirstContact": format_value("seconds", 6 * H),  # 6 h
    }
    for key, shown in figures.items():
        assert shown in text, f"{key}: {shown!r} not printed"
    assert figures["pickRate"] == "42.9 %" and figures["salesCycle"] == "9 days"
    assert "not enabled" in text  # customer rating is off for this importer
    # the outflow table names the receiving partners for an importer
    assert NAMES[Q] in text and NAMES[R] in text

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    png = tmp_path / "partner_page1.png"
    image.save(png)
    assert png.read_bytes().startswith(b"\x89PNG")
    raw = image.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    assert sum(1 for p in pixels if sum(p) < 300) > 2000  # text and rules
    assert sum(1 for p in pixels if p == theme.OFFERS) > 100  # the weekly chart


async def test_filters_come_from_the_query_string(get_pdf, engine):
    await build_world(engine)
    response = await get_pdf(
        P, **{"from": "2026-11-05", "to": "2026-11-08", "source": "MARKETPLACE"}
    )
    assert response.status_code == 200, response.text
    assert "2026-11-05-2026-11-08.pdf" in response.headers["content-disposition"]
    text = text_of(response.content)
    assert "Custom period: 2026-11-05 to 2026-11-08 (4 days)" in text
    assert "2026-11-01 to 2026-11-04 (4 days)" in text
    assert "Source: Marketplace" in text
    # L3 declined, L4 and L5 expired: a pick rate of 0 against L1's 100 %
    assert format_value("rate", 0.0) in text and "-100.0 pp" in text


async def test_sales_partner_report_names_no_competitor(get_pdf, engine):
    await build_world(engine)
    response = await get_pdf(P, role="sales_partner", claims={"partner": P})
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    assert "Autohaus Nord" in text
    assert "Competitor 1" in text and "Competitor 2" in text
    for secret in (Q, R, NAMES[Q], NAMES[R]):
        assert secret not in text
        assert secret.encode() not in response.content


@pytest.mark.parametrize("partner", [Q, "zz-none"])
async def test_sales_partner_cannot_open_another_partner(get_pdf, engine, partner):
    await build_world(engine)
    response = await get_pdf(partner, role="sales_partner", claims={"partner": P})
    assert response.status_code == 404
    assert response.json() == {
        "errors": [
            {
                "message": f"salesPartner '{partner}' was not found",
                "extensions": {"code": "NOT_FOUND"},
            }
        ],
    }


async def test_errors_answer_with_the_api_error_body(get_pdf, engine):
    await build_world(engine)
    response = await get_pdf(P, role=None)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    response = await get_pdf(P, preset="CUSTOM", **{"from": "2026-11-10", "to": "2026-11-05"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is after period.to" in error["message"]

    response = await get_pdf(P, source="SOMETIMES")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    response = await get_pdf(P, marketplaceId="mp-nope")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    response = await get_pdf(P, role="workshop", claims={"workshops": ["w-north"]})
    assert response.status_code == 404
