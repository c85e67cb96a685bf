"""Custom scalars. ``DateTime`` is an instant: ISO 8601 with an offset, both
ways. Strawberry's own DateTime accepts a value without offset, which would
silently mean the server's local time; ours rejects it with the fix, exactly
like the CSV path does."""

from __future__ import annotations

from datetime import datetime
from typing import NewType

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from server.ingest._values import OFFSET_EXAMPLE

Instant = NewType("Instant", datetime)


def _serialize(value: datetime) -> str:
    return value.isoformat()


def _parse(value: object) -> datetime:
    # A GraphQLError (not ValueError) so the message reaches the caller as
    # BAD_USER_INPUT instead of being masked as an internal error.
    if not isinstance(value, str):
        raise GraphQLError(f"a DateTime is a string like {OFFSET_EXAMPLE}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(
            f"bad timestamp '{value}': use ISO 8601 with an offset, e.g. {OFFSET_EXAMPLE}"
        ) from None
    if parsed.tzinfo is None:
        raise GraphQLError(f"timestamp '{value}' has no offset: add one, e.g. {OFFSET_EXAMPLE}")
    return parsed


DATETIME = strawberry.scalar(
    name="DateTime",
    description=f"An instant: ISO 8601 with a UTC offset, e.g. {OFFSET_EXAMPLE}. "
    "A value without an offset is rejected.",
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339",
    serialize=_serialize,
    parse_value=_parse,
)

SCALARS: dict[object, ScalarDefinition] = {Instant: DATETIME}
"""The schema's ``scalar_map``: annotate a field ``Instant`` to exchange a DateTime."""
