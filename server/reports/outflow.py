"""The outflow table: which partners received the leads this partner let go."""

from __future__ import annotations

from server.reports import theme
from server.reports.document import ReportDocument
from server.reports.model import ReportOutflowEntry

_ROW = 5.5
_RANK = 10.0
_COUNT = 28.0
_SHARE = 28.0


def draw_outflow(pdf: ReportDocument, entries: tuple[ReportOutflowEntry, ...]) -> None:
    """A ranked table in the given order, with each partner's share and a total.

    The table may run onto the next page; the column header is repeated there.
    """
    pdf.ensure_space(10 + 3 * _ROW)
    pdf.heading("Lead outflow to competing partners")
    if not entries:
        pdf.style(9, colour=theme.MUTED)
        pdf.cell(
            pdf.epw,
            6,
            "No declined or expired marketplace leads went to another partner.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return
    total = sum(entry.count for entry in entries)
    _header(pdf)
    for rank, entry in enumerate(entries, start=1):
        if pdf.ensure_space(_ROW):
            _header(pdf)
        _row(pdf, str(rank), entry.partner, entry.count, _share(entry.count, total))
    pdf.ensure_space(_ROW)
    pdf.style(9, bold=True)
    _cells(pdf, "", "Total", f"{total:,}", _share(total, total))


def _header(pdf: ReportDocument) -> None:
    pdf.style(7.5, colour=theme.MUTED)
    _cells(pdf, "#", "Receiving partner", "Leads", "Share")
    pdf.rule(pdf.get_y(), colour=theme.RULE)


def _row(pdf: ReportDocument, rank: str, partner: str, count: int, share: str) -> None:
    pdf.style(9)
    _cells(pdf, rank, partner, f"{count:,}", share)
    pdf.rule(pdf.get_y(), colour=theme.GRID)


def _cells(pdf: ReportDocument, rank: str, partner: str, count: str, share: str) -> None:
    name_width = pdf.epw - _RANK - _COUNT - _SHARE
    pdf.set_x(pdf.l_margin)
    pdf.cell(_RANK, _ROW, rank)
    pdf.cell(name_width, _ROW, pdf.fitted(partner, name_width - 2))
    pdf.cell(_COUNT, _ROW, count, align="R")
    pdf.cell(_SHARE, _ROW, share, align="R", new_x="LMARGIN", new_y="NEXT")


def _share(count: int, total: int) -> str:
    return f"{count / total * 100:.1f} %" if total else "n/a"
