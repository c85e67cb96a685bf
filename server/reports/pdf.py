"""Render a `PartnerReport` as a print-optimised A4 PDF ("Print / save as PDF")."""

from __future__ import annotations

from datetime import UTC, datetime

from server.reports.cards import draw_cards
from server.reports.chart import draw_weekly_chart
from server.reports.document import ReportDocument
from server.reports.formatting import format_date, format_timestamp, printable
from server.reports.masthead import draw_masthead, draw_pipeline
from server.reports.model import PartnerReport
from server.reports.outflow import draw_outflow


def render_partner_report(report: PartnerReport) -> bytes:
    """Draw the partner dashboard for paper: one or two A4 pages for typical data.

    Order: masthead (partner, period, comparison period, filters), the current
    pipeline, the metric cards, the weekly chart, then the outflow table, which is
    the only part whose length varies and so goes last. No I/O and no clock:
    equal reports give byte-identical PDFs.

    Args:
        report: the figures, already mapped from the dashboard.

    Returns:
        The PDF document (starts with ``%PDF``).

    Example:
        >>> pdf_bytes = render_partner_report(report)  # doctest: +SKIP
    """
    pdf = ReportDocument(footer_note=_footer_note(report))
    pdf.set_title(printable(f"Sales partner report - {report.partner_name}"))
    pdf.set_author(printable(report.importer_name))
    pdf.set_creator("insights")
    pdf.set_creation_date(_aware(report.generated_at))
    pdf.add_page()
    draw_masthead(pdf, report)
    draw_pipeline(pdf, report.pipeline)
    draw_cards(pdf, report.cards)
    draw_weekly_chart(pdf, report.weekly)
    draw_outflow(pdf, report.outflow)
    return bytes(pdf.output())


def _footer_note(report: PartnerReport) -> str:
    return (
        f"Data as of {format_date(report.as_of)} \u00b7 "
        f"Generated {format_timestamp(report.generated_at)}"
    )


def _aware(moment: datetime) -> datetime:
    # fpdf2 would attach the machine's local zone to a naive time; UTC keeps the
    # document metadata (and so its bytes) the same on every machine.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
