"""``POST /ingest/{kind}``: the CSV path for systems that cannot speak GraphQL.
Same validation and one-transaction rule as `insights ingest`; role integration."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.auth.jwt import authorization_of, bearer_token
from server.auth.principal import Role
from server.errors import BadUserInput, Forbidden, InsightsError, error_body
from server.ingest import FactWindow, ingest_csv_text
from server.ingest_body import BodyTooLarge, capped_body
from server.observability.metrics import observe_ingest


async def ingest_csv(request: Request) -> JSONResponse:
    state = request.app.state.insights
    try:
        principal = state.verifier.verify(bearer_token(authorization_of(request.headers)))
        if principal.role is not Role.INTEGRATION:
            raise Forbidden("only integration tokens may ingest data")
        if request.headers.get("content-type", "").split(";")[0].strip() != "text/csv":
            return JSONResponse(error_body("BAD_USER_INPUT", "send the file as text/csv"), 415)
        try:
            body = await capped_body(request, state.settings.max_ingest_bytes)
        except BodyTooLarge as exc:
            headers = None if exc.drained else {"Connection": "close"}
            return JSONResponse(error_body("BAD_USER_INPUT", exc.message), 413, headers=headers)
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadUserInput("the file is not UTF-8") from None
        report = await ingest_csv_text(
            state.engine,
            request.path_params["kind"],
            text,
            importer_ref=principal.importer,
            window=FactWindow.of(state.settings),
        )
        observe_ingest(report)
    except InsightsError as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return JSONResponse(error_body(exc.code, exc.message), exc.http_status, headers=headers)
    answer = {
        "kind": report.kind,
        "accepted": report.accepted,
        "errors": [{"line": e.line, "column": e.column, "reason": e.reason} for e in report.errors],
    }
    return JSONResponse(answer, status_code=422 if report.errors else 200)
