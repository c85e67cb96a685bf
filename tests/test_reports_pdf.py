"""The printed partner report: formatting rules and the rendered PDF itself."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from server.reports import (
    PartnerReport,
    ReportCard,
    ReportFigure,
    ReportOutflowEntry,
    ReportTrend,
    format_change,
    format_duration,
    format_value,
    render_partner_report,
    theme,
)
from server.reports.chart import nice_axis
from server.reports.formatting import printable

A4 = (595.28, 841.89)


def trend(previous, change, percent, direction, favorable):
    return ReportTrend(previous, change, percent, direction, favorable)


UP_GOOD = trend(0.5, 0.125, 25.0, "UP", True)


def figure(key, title, unit, value, figure_trend=UP_GOOD, enabled=True):
    return ReportFigure(key, title, unit, value, figure_trend, enabled)


def sample_report(**changes) -> PartnerReport:
    cards = (
        ReportCard(
            "Lead pick behavior",
            (
                figure(
                    "offersReceived", "Offers received", "count", 48, trend(40, 8, 20.0, "UP", True)
                ),
                figure("accepted", "Accepted", "count", 30, trend(20, 10, 50.0, "UP", True)),
                figure("declined", "Declined", "count", 12, trend(12, 0, 0.0, "FLAT", None)),
                figure(
                    "expired", "Missed / expired", "count", 6, trend(8, -2, -25.0, "DOWN", True)
                ),
                figure("pickRate", "Pick rate", "rate", 0.625, UP_GOOD),
                figure(
                    "timeToAccept",
                    "Time to accept",
                    "seconds",
                    12000,
                    trend(9000, 3000, 33.3333, "UP", False),
                ),
                figure("timeToDecline", "Time to decline", "seconds", None, None),
            ),
        ),
        ReportCard(
            "Feedback behavior",
            (
                figure(
                    "feedbackRate",
                    "Feedback rate",
                    "rate",
                    0.8,
                    trend(0.9, -0.1, -11.1, "DOWN", False),
                ),
                figure(
                    "timeToFirstFeedback",
                    "Time to first feedback",
                    "seconds",
                    216000,
                    trend(172800, 43200, 25.0, "UP", False),
                ),
                figure(
                    "silentLeads",
                    "Silent leads (> 14 days)",
                    "count",
                    3,
                    trend(0, 3, None, "UP", False),
                ),
            ),
        ),
        ReportCard(
            "Lead conversion",
            (
                figure("won", "Won", "count", 9, trend(6, 3, 50.0, "UP", True)),
                figure("lost", "Lost", "count", 4, trend(4, 0, 0.0, "FLAT", None)),
                figure(
                    "conversionRate",
                    "Conversion rate",
                    "rate",
                    9 / 13,
                    trend(0.6, 0.0923, 15.4, "UP", True),
                ),
            ),
        ),
        ReportCard(
            "Processing speed",
            (
                figure(
                    "timeToFirstContact",
                    "Time to first contact",
                    "seconds",
                    5400,
                    trend(7200, -1800, -25.0, "DOWN", True),
                ),
                figure(
                    "salesCycle",
                    "Sales cycle",
                    "seconds",
                    1_728_000,
                    trend(None, None, None, "FLAT", None),
                ),
            ),
        ),
        ReportCard(
            "Lead outflow",
            (
                figure(
                    "outflow", "Leads to other partners", "count", 7, trend(5, 2, 40.0, "UP", False)
                ),
            ),
        ),
        ReportCard(
            "Partner and customer satisfaction",
            (
                figure(
                    "leadRating", "Lead rating", "rating", 4.25, trend(4.0, 0.25, 6.25, "UP", True)
                ),
                figure("customerRating", "Customer rating", "rating", None, None, enabled=False),
            ),
        ),
    )
    weekly = (
        (date(2024, 10, 28), 6, 4),
        (date(2024, 11, 4), 14, 9),
        (date(2024, 11, 11), 12, 8),
        (date(2024, 11, 18), 16, 9),
    )
    report = PartnerReport(
        partner_name="Autohaus Nordlicht GmbH",
        partner_id="SP-1042",
        importer_name="Importeur Alpha AG",
        period_label="Current month",
        period_from=date(2024, 11, 1),
        period_to=date(2024, 11, 22),
        previous_from=date(2024, 10, 1),
        previous_to=date(2024, 10, 22),
        filters=(("Source", "All"), ("Exclusivity", "Exclusive"), ("Marketplace", "All")),
        pipeline=(
            ("Open leads", "17"),
            ("Of which overdue", "4"),
            ("Leads received (total)", "312"),
            ("Partner since", "2021-03-15"),
        ),
        cards=cards,
        outflow=(
            ReportOutflowEntry("Autohaus Sued KG", 4),
            ReportOutflowEntry("Mobile Welt Berlin", 2),
            ReportOutflowEntry("Garage Zentral", 1),
        ),
        weekly=weekly,
        as_of=date(2024, 11, 22),
        generated_at=datetime(2024, 11, 23, 8, 15, tzinfo=UTC),
    )
    return replace(report, **changes)


def page_texts(pdf_bytes: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


# --- formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        ("count", 0, "0"),
        ("count", 1204, "1,204"),
        ("count", 7.0, "7"),
        ("rate", 0.625, "62.5 %"),
        ("rate", 0.0, "0.0 %"),
        ("rate", 1.0, "100.0 %"),
        ("rate", 2 / 3, "66.7 %"),
        ("seconds", 45, "45 s"),
        ("seconds", 59.4, "59 s"),
        ("seconds", 59.6, "1 min"),
        ("seconds", 720, "12 min"),
        ("seconds", 3600, "1 h"),
        ("seconds", 12000, "3 h 20 min"),
        ("seconds", 86399, "1 day"),
        ("seconds", 216000, "2.5 days"),
        ("seconds", 1_728_000, "20 days"),
        ("rating", 4.25, "4.2 / 5"),
        ("rating", 3.96, "4.0 / 5"),
        ("count", None, "n/a"),
        ("rate", None, "n/a"),
        ("seconds", None, "n/a"),
        ("rating", None, "n/a"),
    ],
)
def test_format_value(unit, value, expected):
    assert format_value(unit, value) == expected


def test_format_value_rejects_unknown_unit():
    with pytest.raises(ValueError, match="Unknown figure unit 'percent'"):
        format_value("percent", 0.5)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "0 s"), (90, "2 min"), (3599, "1 h"), (5400, "1 h 30 min"), (129600, "1.5 days")],
)
def test_format_duration(seconds, expected):
    assert format_duration(seconds) == expected


@pytest.mark.parametrize(
    ("unit", "figure_trend", "expected"),
    [
        ("count", trend(40, 8, 20.0, "UP", True), "+20.0 %"),
        ("count", trend(8, -2, -25.0, "DOWN", True), "-25.0 %"),
        ("count", trend(0, 3, None, "UP", False), "+3"),
        ("count", trend(0, 0, None, "FLAT", None), "0"),
        ("count", trend(1000, 1500, 150.0, "UP", True), "+150.0 %"),
        ("rate", trend(0.5, 0.125, 25.0, "UP", True), "+12.5 pp"),
        ("rate", trend(0.9, -0.6, -66.7, "DOWN", False), "-60.0 pp"),
        ("rate", trend(0.5, 0.0, 0.0, "FLAT", None), "0.0 pp"),
        ("seconds", trend(9000, 3000, 33.3333, "UP", False), "+33.3 %"),
        ("seconds", trend(0, 7200, None, "UP", False), "+2 h"),
        ("seconds", trend(0, -5400, None, "DOWN", True), "-1 h 30 min"),
        ("rating", trend(4.0, 0.25, 6.25, "UP", True), "+6.2 %"),
        ("rating", trend(0, 0.4, None, "UP", True), "+0.4"),
        ("count", trend(None, None, None, "FLAT", None), "n/a"),
        ("rate", None, "n/a"),
    ],
)
def test_format_change(unit, figure_trend, expected):
    assert format_change(unit, figure_trend) == expected


def test_printable_keeps_latin1_and_spells_out_the_rest():
    assert printable("Müller & Söhne") == "Müller & Söhne"
    assert printable("Łódź \u2013 Škoda \u201cNord\u201d") == 'Lódz - Skoda "Nord"'
    assert printable("東京") == "??"


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [(0, (1, 1)), (3, (1, 3)), (16, (5, 20)), (37, (10, 40)), (40, (10, 40)), (1234, (500, 1500))],
)
def test_nice_axis(maximum, expected):
    assert nice_axis(maximum) == expected


# --- the rendered PDF ---------------------------------------------------------------


def test_report_is_an_a4_pdf_with_every_figure():
    pdf_bytes = render_partner_report(sample_report())

    assert pdf_bytes.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) in (1, 2)
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4[0], abs=1)
        assert float(box.height) == pytest.approx(A4[1], abs=1)
    text = "\n".join(page_texts(pdf_bytes))
    expected = [
        "Autohaus Nordlicht GmbH",
        "Partner ID SP-1042",
        "Importeur Alpha AG",
        "Current month: 2024-11-01 to 2024-11-22 (22 days)",
        "2024-10-01 to 2024-10-22 (22 days)",
        "Source: All",
        "Exclusivity: Exclusive",
        "Leads received (total)",
        "312",
        "62.5 %",  # pick rate 0.625
        "+12.5 pp",  # its change, in percentage points
        "3 h 20 min",  # time to accept
        "2.5 days",  # time to first feedback
        "69.2 %",  # conversion 9 / 13
        "4.2 / 5",  # lead rating
        "not enabled",  # customer rating
        "+33.3 %",
        "Autohaus Sued KG",
        "Mobile Welt Berlin",
        "Garage Zentral",
        "57.1 %",  # 4 of 7 outflow leads
        "Offers and accepted offers per week",
        "Week starting (Monday), 2024",
        "Data as of 2024-11-22",
        "Generated 2024-11-23 08:15 UTC",
        "Page 1 of 2",
        "Page 2 of 2",
    ]
    missing = [snippet for snippet in expected if snippet not in text]
    assert missing == []


def test_typical_report_has_the_overview_on_page_one_and_outflow_on_page_two():
    first, second = page_texts(render_partner_report(sample_report()))

    assert "Current pipeline" in first
    assert "Pick rate" in first
    assert "Customer rating" in first
    assert "Offers and accepted offers per week" in first
    assert "Lead outflow to competing partners" in second
    assert "Total 7 100.0 %" in second


def test_outflow_order_is_kept():
    text = "\n".join(page_texts(render_partner_report(sample_report())))
    positions = [text.index(name) for name in ("Autohaus Sued KG", "Mobile Welt", "Garage Zentral")]
    assert positions == sorted(positions)


def test_long_outflow_table_continues_on_the_next_page():
    outflow = tuple(ReportOutflowEntry(f"Competitor {n:02d}", 100 - n) for n in range(1, 61))
    pages = page_texts(render_partner_report(sample_report(outflow=outflow)))

    assert len(pages) == 3
    assert "1 Competitor 01 99" in pages[1]
    assert "60 Competitor 60 40" in pages[2]
    assert "Receiving partner" in pages[2]  # the column header is repeated
    assert "Total 4,170 100.0 %" in pages[2]
    assert "Page 3 of 3" in pages[2]
    assert "Data as of 2024-11-22" in pages[2]


def test_names_outside_latin1_are_printed_plainly():
    report = sample_report(partner_name="Łódź Motors \u2013 Škoda", importer_name="東京 Import")
    text = page_texts(render_partner_report(report))[0]
    assert "Lódz Motors - Skoda" in text
    assert "?? Import" in text


def test_a_year_of_weeks_and_no_outflow_still_render():
    start = date(2024, 1, 8)
    weekly = tuple((start + timedelta(weeks=n), 10 + n % 7, 5 + n % 3) for n in range(53))
    report = sample_report(weekly=weekly, outflow=(), period_label="Current year")
    text = "\n".join(page_texts(render_partner_report(report)))
    assert "No declined or expired marketplace leads went to another partner." in text
    assert "Week starting (Monday), 2024-2025" in text


def test_rendering_is_deterministic():
    assert render_partner_report(sample_report()) == render_partner_report(sample_report())


def test_naive_generated_at_is_printed_without_zone_and_ignores_the_machine_zone(monkeypatch):
    report = sample_report(generated_at=datetime(2024, 11, 23, 8, 15))
    text = page_texts(render_partner_report(report))[0]
    assert "Generated 2024-11-23 08:15 Page 1 of 2" in text

    renders = []
    for zone in ("UTC", "America/New_York"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        renders.append(render_partner_report(report))
    monkeypatch.undo()
    time.tzset()
    assert renders[0] == renders[1]


def render_page_one(pdf_bytes: bytes):
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()


def test_page_one_renders_with_a_visible_chart(tmp_path: Path):
    image = render_page_one(render_partner_report(sample_report()))
    png = tmp_path / "partner_report_page1.png"
    image.save(png)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert image.height == 842  # 841.89 pt at 72 dpi

    width, height = image.size
    raw = image.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    dark = sum(1 for p in pixels if sum(p) < 3 * 100)
    white = sum(1 for p in pixels if p == (255, 255, 255))
    assert dark > 2000  # text, rules, the dark bar series
    assert white > width * height * 0.7  # print-optimised: mostly white paper

    # Both bar series are in the lower half, where the chart sits on page 1; the
    # upper half holds the trend arrows, green when favourable, red when not.
    upper, lower = pixels[: width * height // 2], pixels[width * height // 2 :]
    assert sum(1 for p in lower if p == theme.OFFERS) > 200
    assert sum(1 for p in lower if p == theme.ACCEPTED) > 200
    assert sum(1 for p in lower if sum(p) < 3 * 100) > 500
    assert sum(1 for p in upper if p == theme.FAVORABLE) > 10
    assert sum(1 for p in upper if p == theme.UNFAVORABLE) > 10
