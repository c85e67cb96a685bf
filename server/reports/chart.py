"""The weekly bar chart of offers and accepted offers, drawn with fpdf2 primitives."""

from __future__ import annotations

import math
from datetime import date

from server.reports import theme
from server.reports.document import ReportDocument

CHART_HEIGHT = 56.0
_LEGEND = 6.0
_Y_LABELS = 15.0
_X_LABELS = 9.0
_LABEL_WIDTH = 13.0
_VALUE_LABEL_MIN_GROUP = 9.0
# Spelled out here, not strftime("%b"): the server locale must not change the PDF.
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def nice_axis(maximum: int, ticks: int = 4) -> tuple[int, int]:
    """Return (step, top) for a count axis: a 1-2-5 step and a top >= maximum.

    >>> nice_axis(37)
    (10, 40)
    """
    if maximum <= 0:
        return 1, 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return step, math.ceil(maximum / step) * step


def draw_weekly_chart(pdf: ReportDocument, weekly: tuple[tuple[date, int, int], ...]) -> None:
    """Section "Offers per week": grouped bars, y grid, axis titles and a legend."""
    pdf.ensure_space(CHART_HEIGHT + 9)
    pdf.heading("Offers and accepted offers per week")
    top = pdf.get_y()
    if not weekly:
        pdf.style(9, colour=theme.MUTED)
        pdf.cell(pdf.epw, 6, "No weeks in this period.", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.get_y() + theme.SECTION_GAP)
        return
    _draw_legend(pdf, top)
    left = pdf.l_margin + _Y_LABELS
    plot_top = top + _LEGEND
    bottom = top + CHART_HEIGHT - _X_LABELS
    step, axis_top = nice_axis(max(max(offers, accepted) for _, offers, accepted in weekly))
    _draw_y_axis(pdf, left, plot_top, bottom, step, axis_top)
    _draw_bars(pdf, weekly, left, bottom, (bottom - plot_top) / axis_top)
    _draw_x_axis(pdf, weekly, left, bottom)
    pdf.set_y(top + CHART_HEIGHT + theme.SECTION_GAP)


def _draw_legend(pdf: ReportDocument, top: float) -> None:
    right = pdf.w - pdf.r_margin
    pdf.style(7.5)
    for label, colour in (("Accepted", theme.ACCEPTED), ("Offers", theme.OFFERS)):
        width = pdf.get_string_width(label)
        right -= width
        pdf.text(right, top + 3, label)
        pdf.set_fill_color(*colour)
        pdf.rect(right - 4, top + 0.8, 3, 3, style="F")
        right -= 9


def _draw_y_axis(
    pdf: ReportDocument, left: float, plot_top: float, bottom: float, step: int, axis_top: int
) -> None:
    right = pdf.w - pdf.r_margin
    scale = (bottom - plot_top) / axis_top
    pdf.style(7, colour=theme.MUTED)
    for value in range(0, axis_top + 1, step):
        y = bottom - value * scale
        if value:
            pdf.rule(y, left, right, colour=theme.GRID)
        pdf.set_xy(left - 11, y - 2)
        pdf.cell(10, 4, f"{value:,}", align="R")
    pdf.style(7.5, colour=theme.MUTED)
    title = "Offers"
    middle = (plot_top + bottom) / 2 + pdf.get_string_width(title) / 2
    with pdf.rotation(90, pdf.l_margin + 3, middle):
        pdf.text(pdf.l_margin + 3, middle, title)
    pdf.set_draw_color(*theme.TEXT)
    pdf.set_line_width(0.3)
    pdf.line(left, bottom, right, bottom)
    pdf.line(left, plot_top, left, bottom)


def _draw_bars(
    pdf: ReportDocument,
    weekly: tuple[tuple[date, int, int], ...],
    left: float,
    bottom: float,
    scale: float,
) -> None:
    group = (pdf.w - pdf.r_margin - left) / len(weekly)
    bar = min(group * 0.36, 9.0)
    labelled = group >= _VALUE_LABEL_MIN_GROUP
    pdf.style(6.5, colour=theme.MUTED)
    for index, (_, offers, accepted) in enumerate(weekly):
        middle = left + (index + 0.5) * group
        for x, value, colour in (
            (middle - bar - 0.2, offers, theme.OFFERS),
            (middle + 0.2, accepted, theme.ACCEPTED),
        ):
            height = value * scale
            if height > 0:
                pdf.set_fill_color(*colour)
                pdf.rect(x, bottom - height, bar, height, style="F")
            if labelled:
                pdf.set_xy(x - 2, bottom - height - 3.5)
                pdf.cell(bar + 4, 3.5, f"{value:,}", align="C")


def _draw_x_axis(
    pdf: ReportDocument, weekly: tuple[tuple[date, int, int], ...], left: float, bottom: float
) -> None:
    group = (pdf.w - pdf.r_margin - left) / len(weekly)
    every = max(1, math.ceil(_LABEL_WIDTH / group))
    pdf.style(7, colour=theme.MUTED)
    for index in range(0, len(weekly), every):
        start = weekly[index][0]
        pdf.set_xy(left + (index + 0.5) * group - _LABEL_WIDTH / 2, bottom + 0.8)
        pdf.cell(_LABEL_WIDTH, 3.5, f"{start.day} {_MONTHS[start.month - 1]}", align="C")
    first, last = weekly[0][0].year, weekly[-1][0].year
    years = str(first) if first == last else f"{first}-{last}"
    pdf.style(7.5, colour=theme.MUTED)
    pdf.set_xy(left, bottom + 4.5)
    pdf.cell(pdf.w - pdf.r_margin - left, 4, f"Week starting (Monday), {years}", align="C")
