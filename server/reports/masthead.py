"""The report's top: who it is about, which period and filters, and the pipeline."""

from __future__ import annotations

from datetime import date

from server.reports import theme
from server.reports.document import ReportDocument
from server.reports.formatting import format_date
from server.reports.model import PartnerReport

_LABEL_WIDTH = 28.0
_LINE = 5.0
_STRIP_GAP = 3.0
_STRIP_HEIGHT = 14.0


def draw_masthead(pdf: ReportDocument, report: PartnerReport) -> None:
    """Partner, importer, period with its comparison period, and the filters."""
    pdf.style(8, colour=theme.MUTED)
    pdf.cell(pdf.epw / 2, 4, "SALES PARTNER REPORT")
    pdf.cell(
        pdf.epw / 2,
        4,
        pdf.fitted(report.importer_name, pdf.epw / 2),
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.style(18, bold=True)
    pdf.cell(pdf.epw, 9, pdf.fitted(report.partner_name, pdf.epw), new_x="LMARGIN", new_y="NEXT")
    pdf.style(9, colour=theme.MUTED)
    ids = f"Partner ID {report.partner_id} \u00b7 Importer {report.importer_name}"
    pdf.cell(pdf.epw, _LINE, pdf.fitted(ids, pdf.epw), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 2)
    current = _span(report.period_from, report.period_to)
    _fact(pdf, "Period", f"{report.period_label}: {current}")
    _fact(pdf, "Compared with", _span(report.previous_from, report.previous_to))
    filters = " \u00b7 ".join(f"{name}: {value}" for name, value in report.filters)
    _fact(pdf, "Filters", filters or "none")
    pdf.rule(pdf.get_y() + 1.5)
    pdf.set_y(pdf.get_y() + theme.SECTION_GAP)


def draw_pipeline(pdf: ReportDocument, pipeline: tuple[tuple[str, str], ...]) -> None:
    """The current pipeline as a strip of outlined boxes, one per (label, value)."""
    if not pipeline:
        return
    pdf.ensure_space(_STRIP_HEIGHT + 10)
    pdf.heading("Current pipeline (independent of period and filters)")
    count = len(pipeline)
    width = (pdf.epw - _STRIP_GAP * (count - 1)) / count
    top = pdf.get_y()
    pdf.set_draw_color(*theme.RULE)
    pdf.set_line_width(theme.RULE_WIDTH)
    for index, (label, value) in enumerate(pipeline):
        left = pdf.l_margin + index * (width + _STRIP_GAP)
        pdf.rect(left, top, width, _STRIP_HEIGHT, style="D")
        pdf.style(7.5, colour=theme.MUTED)
        pdf.set_xy(left + 2, top + 1.5)
        pdf.cell(width - 4, 4, pdf.fitted(label, width - 4))
        pdf.style(13, bold=True)
        pdf.set_xy(left + 2, top + 6)
        pdf.cell(width - 4, 6.5, pdf.fitted(value, width - 4))
    pdf.set_y(top + _STRIP_HEIGHT + theme.SECTION_GAP)


def _fact(pdf: ReportDocument, label: str, value: str) -> None:
    pdf.style(8.5, colour=theme.MUTED)
    pdf.cell(_LABEL_WIDTH, _LINE, label)
    pdf.style(9)
    width = pdf.epw - _LABEL_WIDTH
    pdf.cell(width, _LINE, pdf.fitted(value, width), new_x="LMARGIN", new_y="NEXT")


def _span(first: date, last: date) -> str:
    days = (last - first).days + 1
    noun = "day" if days == 1 else "days"
    return f"{format_date(first)} to {format_date(last)} ({days} {noun})"
