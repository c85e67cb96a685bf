"""Name conventions shared by the GraphQL schema and the REST routes."""

from __future__ import annotations


def camel_case(name: str) -> str:
    """``sent_at`` → ``sentAt``: CSV column names as the API spells fields."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
