"""Metric cards: two per row, each figure with its value, trend arrow and change."""

from __future__ import annotations

from server.reports import theme
from server.reports.document import ReportDocument
from server.reports.formatting import format_change, format_value
from server.reports.model import ReportCard, ReportFigure, ReportTrend

_COLUMNS = 2
_GAP = 4.0
_PAD = 3.0
_HEAD = 8.0
_ROW = 5.2
_VALUE_WIDTH = 22.0
_ARROW_WIDTH = 5.0
_CHANGE_WIDTH = 19.0
_ARROW_HALF = 1.2


def draw_cards(pdf: ReportDocument, cards: tuple[ReportCard, ...]) -> None:
    """Lay the cards out two by two; a row of cards is never split across pages."""
    width = (pdf.epw - _GAP * (_COLUMNS - 1)) / _COLUMNS
    for start in range(0, len(cards), _COLUMNS):
        row = cards[start : start + _COLUMNS]
        height = max(card_height(card) for card in row)
        pdf.ensure_space(height)
        top = pdf.get_y()
        for index, card in enumerate(row):
            _draw_card(pdf, card, pdf.l_margin + index * (width + _GAP), top, width, height)
        pdf.set_y(top + height + _GAP)
    pdf.set_y(pdf.get_y() - _GAP + theme.SECTION_GAP)


def card_height(card: ReportCard) -> float:
    return _HEAD + len(card.figures) * _ROW + _PAD


def _draw_card(
    pdf: ReportDocument, card: ReportCard, left: float, top: float, width: float, height: float
) -> None:
    pdf.set_draw_color(*theme.RULE)
    pdf.set_line_width(theme.RULE_WIDTH)
    pdf.rect(left, top, width, height, style="D")
    pdf.style(9.5, bold=True)
    pdf.set_xy(left + _PAD, top + 1.8)
    pdf.cell(width - 2 * _PAD, 5, pdf.fitted(card.title, width - 2 * _PAD))
    pdf.rule(top + _HEAD - 1.2, left + _PAD, left + width - _PAD, colour=theme.GRID)
    for index, figure in enumerate(card.figures):
        _draw_figure(pdf, figure, left + _PAD, top + _HEAD + index * _ROW, width - 2 * _PAD)


def _draw_figure(
    pdf: ReportDocument, figure: ReportFigure, left: float, top: float, width: float
) -> None:
    title_width = width - _VALUE_WIDTH - _ARROW_WIDTH - _CHANGE_WIDTH
    pdf.style(8.5)
    pdf.set_xy(left, top)
    pdf.cell(title_width, _ROW, pdf.fitted(figure.title, title_width - 1))
    if not figure.enabled:
        pdf.style(8.5, italic=True, colour=theme.MUTED)
        pdf.cell(_VALUE_WIDTH, _ROW, "not enabled", align="R")
        return
    pdf.style(9, bold=True)
    pdf.cell(_VALUE_WIDTH, _ROW, format_value(figure.unit, figure.value), align="R")
    if figure.trend is None:
        return
    colour = theme.verdict_colour(figure.trend.favorable)
    arrow_x = left + title_width + _VALUE_WIDTH + _ARROW_WIDTH / 2 + 0.5
    draw_trend_arrow(pdf, figure.trend, arrow_x, top + _ROW / 2)
    pdf.style(7.5, colour=colour)
    pdf.set_xy(left + width - _CHANGE_WIDTH, top)
    pdf.cell(_CHANGE_WIDTH, _ROW, format_change(figure.unit, figure.trend))


def draw_trend_arrow(pdf: ReportDocument, trend: ReportTrend, x: float, y: float) -> None:
    """A small filled triangle (UP/DOWN) or dash (FLAT) centred on (x, y).

    Drawn, not typed: the core fonts have no arrow glyphs, and a shape prints the
    same on every viewer.
    """
    colour = theme.verdict_colour(trend.favorable)
    pdf.set_fill_color(*colour)
    half = _ARROW_HALF
    if trend.direction == "UP":
        points = [(x - half, y + half * 0.85), (x + half, y + half * 0.85), (x, y - half)]
        pdf.polygon(points, style="F")
    elif trend.direction == "DOWN":
        points = [(x - half, y - half * 0.85), (x + half, y - half * 0.85), (x, y + half)]
        pdf.polygon(points, style="F")
    else:
        pdf.rect(x - half, y - 0.3, 2 * half, 0.6, style="F")
