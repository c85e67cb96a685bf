"""The print-optimised partner report: a plain input model and its PDF renderer."""

from server.reports.formatting import format_change, format_duration, format_value
from server.reports.model import (
    PartnerReport,
    ReportCard,
    ReportFigure,
    ReportOutflowEntry,
    ReportTrend,
)
from server.reports.pdf import render_partner_report

__all__ = [
    "PartnerReport",
    "ReportCard",
    "ReportFigure",
    "ReportOutflowEntry",
    "ReportTrend",
    "format_change",
    "format_duration",
    "format_value",
    "render_partner_report",
]
