"""A cap on the size of a GraphQL response body (``INSIGHTS_MAX_RESPONSE_BYTES``).

The cost limit refuses what it can foresee; this is the backstop for what it
cannot (long names, many rows behind a list it assumed short): a body over the
cap is replaced by a ``RESPONSE_TOO_LARGE`` error rather than sent.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from server.errors import ResponseTooLarge
from server.http.errors import error_document


def capped(response: Response, limit: int) -> Response:
    """``response``, or a ``RESPONSE_TOO_LARGE`` error when its body exceeds ``limit`` bytes."""
    size = len(response.body)
    if size <= limit:
        return response
    message = (
        f"the response would be {size} bytes, over the limit of {limit}: "
        "ask for fewer items (first), fields or series points"
    )
    # The operation ran, so the answer keeps GraphQL's shape: no data, one error.
    refused = JSONResponse({"data": None, **error_document(ResponseTooLarge.code, message)})
    refused.headers["content-type"] = response.headers.get("content-type", "application/json")
    return refused
