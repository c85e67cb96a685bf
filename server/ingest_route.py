"""``POST /ingest/{kind}``: the CSV path for systems that cannot speak GraphQL.
Same validation and one-transaction rule as `insights ingest`; role integration.

The answer follows the GraphQL ingest mutations' conventions (documented in the
README, "Data in over HTTP"): ``{kind, accepted, errors}``, where each bad row is
an error in the API's one shape, ``{"message": reason, "extensions": {"code":
"BAD_USER_INPUT", "row", "line", "column"}}`` — ``row`` is the data row's index
from 0 (header excluded, as ``rows`` in the mutations), ``line`` the file line
(header = 1) and ``column`` the camelCase field name; 422 when any row is bad.
"""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.auth.principal import Role
from server.errors import BadUserInput, Forbidden
from server.http.auth import principal_of
from server.http.errors import error_response
from server.ingest import FactWindow, ingest_csv_text
from server.ingest.report import IngestReport, RowError
from server.ingest_body import BodyTooLarge, capped_body
from server.naming import camel_case
from server.observability.metrics import observe_ingest


async def ingest_csv(request: Request) -> Response:
    state = request.app.state.insights
    principal = principal_of(request)
    if principal.role is not Role.INTEGRATION:
        raise Forbidden("only integration tokens may ingest data")
    if request.headers.get("content-type", "").split(";")[0].strip() != "text/csv":
        return error_response(415, "UNSUPPORTED_MEDIA_TYPE", "send the file as text/csv")
    try:
        body = await capped_body(request, state.settings.max_ingest_bytes)
    except BodyTooLarge as exc:
        headers = None if exc.drained else {"Connection": "close"}
        return error_response(413, "BAD_USER_INPUT", exc.message, headers=headers)
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
    return JSONResponse(_answer(report, text), status_code=422 if report.errors else 200)


def _answer(report: IngestReport, text: str) -> dict[str, object]:
    rows = _row_index_by_line(text) if report.errors else {}
    return {
        "kind": report.kind,
        "accepted": report.accepted,
        "errors": [_row_error(error, rows.get(error.line)) for error in report.errors],
    }


def _row_error(error: RowError, row: int | None) -> dict[str, object]:
    column = camel_case(error.column) if error.column is not None else None
    extensions = {"code": BadUserInput.code, "row": row, "line": error.line, "column": column}
    return {"message": error.reason, "extensions": extensions}


def _row_index_by_line(text: str) -> dict[int, int]:
    """Line a data row starts on → its index from 0 (quoted cells may span lines).
    Only runs on the error path; stops quietly where the CSV itself is broken."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    index: dict[int, int] = {}
    try:
        next(reader, None)
        end = reader.line_num
        for cells in reader:
            start, end = end + 1, reader.line_num
            if cells:
                index[start] = len(index)
    except csv.Error:
        pass
    return index
