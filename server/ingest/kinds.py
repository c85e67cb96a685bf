"""The kinds of file an integration sends (DOMAIN.md), in dependency order:
reference data first, then the facts that point at it."""

from __future__ import annotations

from server.errors import BadUserInput

KINDS: tuple[str, ...] = (
    "importers",
    "workshops",
    "eligibility_rules",
    "marketplaces",
    "sales_partners",
    "vehicles",
    "visits",
    "activations",
    "chats",
    "leads",
    "lead_offers",
    "lead_events",
    "app_activity",
    "staff_activity",
    "campaigns",
)


class UnknownKind(BadUserInput):
    """A kind that is not one of ``KINDS``."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown kind '{kind}': use one of {', '.join(KINDS)}")
        self.kind = kind


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UnknownKind(kind)
    return kind
