"""Domain errors, each with the API error code it becomes at the edge.

    InsightsError
    ├── Unauthenticated     UNAUTHENTICATED   (HTTP 401)
    ├── Forbidden           FORBIDDEN
    ├── NotFound            NOT_FOUND         (also: outside the principal's scope)
    ├── BadUserInput        BAD_USER_INPUT    (message says what to fix)
    ├── QueryTooComplex     QUERY_TOO_COMPLEX
    ├── ResponseTooLarge    RESPONSE_TOO_LARGE
    ├── RequestTimeout      TIMEOUT           (HTTP 504)
    └── ServiceUnavailable  SERVICE_UNAVAILABLE (HTTP 503)

Code below the schema raises these; the GraphQL layer and ``server.http.errors``
turn them into ``extensions.code``. Anything else is INTERNAL and its message masked.
"""

from __future__ import annotations


class InsightsError(Exception):
    code = "INTERNAL"
    http_status = 200

    def __init__(self, message: str, *, extensions: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions or {}


class Unauthenticated(InsightsError):
    code = "UNAUTHENTICATED"
    http_status = 401


class Forbidden(InsightsError):
    code = "FORBIDDEN"
    http_status = 403


class NotFound(InsightsError):
    code = "NOT_FOUND"
    http_status = 404

    @classmethod
    def of(cls, kind: str, ref: str) -> NotFound:
        return cls(f"{kind} '{ref}' was not found")


class BadUserInput(InsightsError):
    code = "BAD_USER_INPUT"
    http_status = 400


class QueryTooComplex(InsightsError):
    code = "QUERY_TOO_COMPLEX"
    http_status = 400


class ResponseTooLarge(InsightsError):
    code = "RESPONSE_TOO_LARGE"
    http_status = 400


class RequestTimeout(InsightsError):
    code = "TIMEOUT"
    http_status = 504


class ServiceUnavailable(InsightsError):
    code = "SERVICE_UNAVAILABLE"
    http_status = 503
