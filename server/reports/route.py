"""``GET /reports/partners/{id}.pdf``: the partner dashboard, printed.

The figures come from the GraphQL dashboard itself, executed in-process against
the caller's role schema: the same auth, scope rules, filters, defaults and
numbers as the API (a sales partner's report names no competitor, another
partner's report answers 404 like a missing one). Only the mapping onto the
report model and the rendering happen here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.auth.jwt import authorization_of, bearer_token
from server.auth.principal import Principal, Role
from server.errors import (
    BadUserInput,
    Forbidden,
    InsightsError,
    NotFound,
    QueryTooComplex,
    ServiceUnavailable,
    Unauthenticated,
    error_body,
)
from server.reports.formatting import format_value
from server.reports.model import (
    PartnerReport,
    ReportCard,
    ReportFigure,
    ReportOutflowEntry,
    ReportTrend,
)
from server.reports.pdf import render_partner_report
from server.resolvers.loaders import Loaders
from server.schema.build import build_schemas
from server.schema.context import Context
from server.schema.errors import error_code
from server.schema.visibility import PARTNER_ROLES

DEFAULT_PRESET = "CURRENT_MONTH"

_METRIC = "value trend { ...T } info { key title unit }"
QUERY = f"""
fragment T on Trend {{ previous change changePercent direction favorable }}
query PartnerReport($id: ID!, $filter: PartnerFilterInput!) {{
  importer {{ name }}
  salesPartner(id: $id) {{
    id name
    dashboard(filter: $filter) {{
      period {{ from to }} previousPeriod {{ from to }} asOf
      pipeline {{ openLeads overdueLeads totalLeadsReceived partnerSince }}
      leadPick {{
        offersReceived {{ {_METRIC} weekly: series(granularity: WEEK) {{ date value }} }}
        accepted {{ {_METRIC} weekly: series(granularity: WEEK) {{ date value }} }}
        declined {{ {_METRIC} }} expired {{ {_METRIC} }} pickRate {{ {_METRIC} }}
        timeToAccept {{ {_METRIC} }} timeToDecline {{ {_METRIC} }}
      }}
      feedback {{
        feedbackRate {{ {_METRIC} }} timeToFirstFeedback {{ {_METRIC} }}
        silentLeads {{ {_METRIC} }}
      }}
      conversion {{ won {{ {_METRIC} }} lost {{ {_METRIC} }} conversionRate {{ {_METRIC} }} }}
      processingSpeed {{ timeToFirstContact {{ {_METRIC} }} salesCycle {{ {_METRIC} }} }}
      outflow {{ total {{ {_METRIC} }} byPartner {{ partner {{ name }} count }} }}
      satisfaction {{
        leadRating {{ enabled {_METRIC} }} customerRating {{ enabled {_METRIC} }}
      }}
    }}
  }}
}}"""

CARDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Lead pick behavior",
        "leadPick",
        (
            "offersReceived",
            "accepted",
            "declined",
            "expired",
            "pickRate",
            "timeToAccept",
            "timeToDecline",
        ),
    ),
    ("Feedback behavior", "feedback", ("feedbackRate", "timeToFirstFeedback", "silentLeads")),
    ("Lead conversion", "conversion", ("won", "lost", "conversionRate")),
    ("Processing speed", "processingSpeed", ("timeToFirstContact", "salesCycle")),
    ("Lead outflow", "outflow", ("total",)),
    ("Partner and customer satisfaction", "satisfaction", ("leadRating", "customerRating")),
)
"""(card title, dashboard field, metric fields), in print order."""

_ERRORS = (Unauthenticated, Forbidden, NotFound, BadUserInput, QueryTooComplex, ServiceUnavailable)
_STATUS = {cls.code: cls.http_status for cls in _ERRORS}
"""HTTP status per error code; anything else (INTERNAL) is a 500."""


async def partner_report_pdf(request: Request) -> Response:
    """The print-optimised dashboard of one sales partner, as ``application/pdf``.

    Query parameters are the GraphQL filter's: ``preset`` (default CURRENT_MONTH,
    or CUSTOM with ``from``/``to``), ``source``, ``exclusivity``, ``marketplaceId``.
    Errors answer with the API's JSON error body: 401 for a bad token, 404 for a
    partner outside the caller's scope, 400 for a bad filter.
    """
    try:
        principal = request.app.state.insights.verifier.verify(
            bearer_token(authorization_of(request.headers))
        )
    except Unauthenticated as exc:
        return _error(exc, headers={"WWW-Authenticate": "Bearer"})
    ref = request.path_params["id"]
    if principal.role not in PARTNER_ROLES:
        return _error(NotFound.of("salesPartner", ref))
    filter_ = _filter(request)
    data = await _dashboard(request, principal, ref, filter_)
    if isinstance(data, Response):
        return data
    report = _report(data, filter_, generated_at=datetime.now(UTC))
    pdf = await run_in_threadpool(render_partner_report, report)
    name = _filename(ref, report.period_from, report.period_to)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


def _filter(request: Request) -> dict[str, Any]:
    """The GraphQL ``PartnerFilterInput`` of the query string (validated by GraphQL)."""
    params = request.query_params
    period: dict[str, Any] = {k: params[k] for k in ("preset", "from", "to") if params.get(k)}
    if not period:
        period = {"preset": DEFAULT_PRESET}
    filter_: dict[str, Any] = {"period": period}
    for key in ("source", "exclusivity", "marketplaceId"):
        if params.get(key):
            filter_[key] = params[key]
    return filter_


async def _dashboard(
    request: Request, principal: Principal, ref: str, filter_: dict[str, Any]
) -> dict[str, Any] | Response:
    """The dashboard data as the caller's role schema answers it, or the error response."""
    state = request.app.state.insights
    context = Context(
        principal=principal,
        engine=state.engine,
        settings=state.settings,
        loaders=Loaders(state.engine, state.distinct_cache, state.day_copy),
        request=request,
    )
    result = await _schemas(request)[principal.role].execute(
        QUERY, variable_values={"id": ref, "filter": filter_}, context_value=context
    )
    if result.errors:
        code, message, _ = error_code(result.errors[0])
        status = _STATUS.get(code, 500)
        return JSONResponse(error_body(code, message), status_code=status)
    assert result.data is not None
    return result.data


def _schemas(request: Request) -> dict[Role, strawberry.Schema]:
    """The role schemas the app serves; built once here until AppState carries them."""
    schemas: dict[Role, strawberry.Schema] | None = getattr(
        request.app.state.insights, "schemas", None
    )
    if schemas is None:
        schemas = getattr(request.app.state, "report_schemas", None)
    if schemas is None:
        schemas = build_schemas(request.app.state.insights.settings)
        request.app.state.report_schemas = schemas
    return schemas


def _error(exc: InsightsError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        error_body(exc.code, exc.message), status_code=exc.http_status, headers=headers
    )


def _report(data: dict[str, Any], filter_: dict[str, Any], generated_at: datetime) -> PartnerReport:
    partner = data["salesPartner"]
    board = partner["dashboard"]
    lead_pick = board["leadPick"]
    weekly = tuple(
        (date.fromisoformat(o["date"]), int(o["value"] or 0), int(a["value"] or 0))
        for o, a in zip(
            lead_pick["offersReceived"]["weekly"], lead_pick["accepted"]["weekly"], strict=True
        )
    )
    return PartnerReport(
        partner_name=partner["name"],
        partner_id=partner["id"],
        importer_name=data["importer"]["name"],
        period_label=_period_label(filter_["period"].get("preset")),
        period_from=date.fromisoformat(board["period"]["from"]),
        period_to=date.fromisoformat(board["period"]["to"]),
        previous_from=date.fromisoformat(board["previousPeriod"]["from"]),
        previous_to=date.fromisoformat(board["previousPeriod"]["to"]),
        filters=_filter_labels(filter_),
        pipeline=_pipeline(board["pipeline"]),
        cards=tuple(
            ReportCard(title, tuple(_figure(board[card][m]) for m in metrics))
            for title, card, metrics in CARDS
        ),
        outflow=tuple(
            ReportOutflowEntry(e["partner"]["name"], e["count"])
            for e in board["outflow"]["byPartner"]
        ),
        weekly=weekly,
        as_of=date.fromisoformat(board["asOf"]),
        generated_at=generated_at,
    )


def _figure(metric: dict[str, Any]) -> ReportFigure:
    info = metric["info"]
    trend = metric["trend"]
    return ReportFigure(
        key=info["key"],
        title=info["title"],
        unit=info["unit"],
        value=metric["value"],
        trend=ReportTrend(
            previous=trend["previous"],
            change=trend["change"],
            change_percent=trend["changePercent"],
            direction=trend["direction"],
            favorable=trend["favorable"],
        ),
        enabled=metric.get("enabled", True),
    )


def _pipeline(pipeline: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return (
        ("Open leads", format_value("count", pipeline["openLeads"])),
        ("Of which overdue", format_value("count", pipeline["overdueLeads"])),
        ("Leads received (total)", format_value("count", pipeline["totalLeadsReceived"])),
        ("Partner since", pipeline["partnerSince"]),
    )


def _period_label(preset: str | None) -> str:
    if preset is None or preset == "CUSTOM":
        return "Custom period"
    return preset.replace("_", " ").capitalize()


def _filter_labels(filter_: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return (
        ("Source", str(filter_.get("source", "ALL")).capitalize()),
        ("Exclusivity", str(filter_.get("exclusivity", "ALL")).capitalize()),
        ("Marketplace", str(filter_.get("marketplaceId", "All"))),
    )


def _filename(ref: str, start: date, end: date) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", ref)
    return f"partner-{safe}-{start.isoformat()}-{end.isoformat()}.pdf"
