"""The A4 page the report sections draw on: margins, footer and drawing helpers."""

from __future__ import annotations

from fpdf import FPDF

from server.reports import theme
from server.reports.formatting import printable
from server.reports.theme import Rgb

_ELLIPSIS = "..."


class ReportDocument(FPDF):
    """An A4 portrait page set with the report's footer on every page.

    Sections call `ensure_space` before drawing a block that must not be split
    (a card row, the chart, a table row), so page breaks fall between blocks.
    """

    def __init__(self, footer_note: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_note = printable(footer_note)
        self.set_margins(theme.MARGIN, theme.MARGIN, theme.MARGIN)
        self.set_auto_page_break(True, margin=theme.MARGIN + theme.FOOTER_HEIGHT)
        self.set_line_width(theme.RULE_WIDTH)

    def footer(self) -> None:
        top = self.h - theme.MARGIN - theme.FOOTER_HEIGHT + 3
        self.rule(top, colour=theme.RULE)
        self.style(7.5, colour=theme.MUTED)
        self.set_xy(self.l_margin, top + 1.5)
        self.cell(self.epw * 0.75, 4, self._footer_note)
        self.cell(self.epw * 0.25, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    def style(
        self, size: float, *, bold: bool = False, italic: bool = False, colour: Rgb = theme.TEXT
    ) -> None:
        """Set font size, weight and text colour in one call (sections switch often)."""
        self.set_font(theme.FONT, style=("B" if bold else "") + ("I" if italic else ""), size=size)
        self.set_text_color(*colour)

    def rule(
        self, y: float, x1: float | None = None, x2: float | None = None, colour: Rgb = theme.RULE
    ) -> None:
        """A thin horizontal line, by default across the text width."""
        self.set_draw_color(*colour)
        self.set_line_width(theme.RULE_WIDTH)
        left = self.l_margin if x1 is None else x1
        right = self.w - self.r_margin if x2 is None else x2
        self.line(left, y, right, y)

    def ensure_space(self, height: float) -> bool:
        """Start a new page unless `height` mm still fit; True when it broke."""
        if self.get_y() + height <= self.page_break_trigger:
            return False
        self.add_page()
        return True

    def heading(self, title: str) -> None:
        """A section title with a rule under it; leaves the cursor below the rule."""
        self.style(11, bold=True)
        self.set_x(self.l_margin)
        self.cell(self.epw, 6, printable(title), new_x="LMARGIN", new_y="NEXT")
        self.rule(self.get_y() + 0.5)
        self.set_y(self.get_y() + 2.5)

    def fitted(self, text: str, width: float) -> str:
        """`text` made printable and cut with "..." to fit `width` in the current font."""
        text = printable(text)
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + _ELLIPSIS) > width:
            text = text[:-1]
        return text.rstrip() + _ELLIPSIS
