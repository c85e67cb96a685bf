"""Log format and the per-request log line.

One format for everything the process writes, the app's loggers and uvicorn's
alike: ``INSIGHTS_LOG_FORMAT=json`` gives one JSON object per line (for log
shippers), ``text`` a plain line. :func:`log_config` is a ``logging.config``
dict, handed to uvicorn by ``insights serve`` so that its worker processes
configure the same handlers before they import the app (with ``--workers 2``
the app's lines would otherwise have no handler and vanish).

Every record carries the request id of the request it was written for, so an
INTERNAL error's traceback can be found from the id a client reports.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any, Literal

from server.observability.record import RequestRecord, current_request_id

LogFormat = Literal["json", "text"]

REQUEST_LOGGER = "insights.request"
log = logging.getLogger(REQUEST_LOGGER)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def log_config(log_format: LogFormat, level: str) -> dict[str, Any]:
    """The one logging configuration of the app and uvicorn."""
    formatter: dict[str, Any]
    if log_format == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"insights": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "insights",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's own loggers go to the root handler, in the same format.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            # The request line below replaces uvicorn's access line (one per request).
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # Strawberry logs every GraphQL error, client mistakes included, with a
            # traceback; the API's error formatter logs INTERNAL ones itself.
            "strawberry.execution": {"handlers": [], "level": "CRITICAL", "propagate": True},
        },
    }


def configure(log_format: LogFormat, level: str) -> None:
    logging.config.dictConfig(log_config(log_format, level))


def log_request(record: RequestRecord) -> None:
    """The one line per request: INFO for answers and client mistakes, WARNING for
    outages (503), ERROR with the traceback for bugs (INTERNAL / 500)."""
    principal = record.principal
    fields: dict[str, Any] = {
        "request_id": record.request_id,
        "method": record.method,
        "path": record.path,
        "route": record.route,
        "status": record.status,
        "duration_ms": round(record.duration_seconds * 1000, 1),
        "sql_statements": record.sql_statements,
        "operation": record.operation,
        "operation_type": record.operation_type,
        "error_codes": record.error_codes,
        "sub": principal.sub if principal else None,
        "role": str(principal.role) if principal else None,
        "importer": principal.importer if principal else None,
    }
    level = logging.INFO
    if record.internal:
        level = logging.ERROR
    elif record.status == 503:
        level = logging.WARNING
    exc = record.exception
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    log.log(
        level,
        "%s %s %s %s %.1fms sql=%d codes=%s",
        record.method,
        record.path,
        record.status,
        record.operation or "-",
        fields["duration_ms"],
        record.sql_statements,
        ",".join(record.error_codes) or "-",
        extra=fields,
        exc_info=exc_info,
    )
