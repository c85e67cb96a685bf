"""The CSV kinds of DOMAIN.md with their exact columns, in dependency order,
and the row collection the generators fill."""

from __future__ import annotations

from collections.abc import Mapping

COLUMNS: Mapping[str, tuple[str, ...]] = {
    "importers": (
        "importer_ref",
        "name",
        "timezone",
        "connection_rate_goal",
        "lead_due_days",
        "lead_rating_enabled",
        "customer_rating_enabled",
    ),
    "workshops": ("workshop_ref", "importer_ref", "name", "city", "connection_rate_goal"),
    "eligibility_rules": ("importer_ref", "make", "model", "year_from", "year_to", "include"),
    "marketplaces": ("marketplace_ref", "importer_ref", "name"),
    "sales_partners": ("partner_ref", "importer_ref", "name", "workshop_ref", "partner_since"),
    "vehicles": ("vin", "importer_ref", "make", "model", "model_year"),
    "visits": ("visit_ref", "workshop_ref", "vin", "arrived_at", "departed_at"),
    "activations": ("vin", "workshop_ref", "invited_at", "activated_at", "deactivated_at"),
    "chats": ("conversation_ref", "workshop_ref", "started_at", "messages", "first_response_at"),
    "leads": (
        "lead_ref",
        "importer_ref",
        "created_at",
        "source",
        "marketplace_ref",
        "exclusive",
        "workshop_ref",
    ),
    "lead_offers": (
        "lead_ref",
        "partner_ref",
        "offered_at",
        "expires_at",
        "response",
        "responded_at",
    ),
    "lead_events": ("lead_ref", "partner_ref", "occurred_at", "kind", "value"),
    "app_activity": ("app_user_ref", "workshop_ref", "day"),
    "staff_activity": ("user_ref", "workshop_ref", "day", "actions"),
    "campaigns": ("campaign_ref", "workshop_ref", "sent_at", "recipients"),
}

KINDS: tuple[str, ...] = tuple(COLUMNS)
_COLUMN_SETS = {kind: frozenset(columns) for kind, columns in COLUMNS.items()}

Cell = str | int | float | bool | None


def cell(value: Cell) -> str:
    """The CSV text of one value: empty for null, lower-case booleans."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Dataset:
    """Rows per kind, already rendered as CSV text, in generation order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[str, ...]]] = {kind: [] for kind in KINDS}

    def add(self, kind: str, /, **values: Cell) -> None:
        columns = COLUMNS[kind]
        if not values.keys() <= _COLUMN_SETS[kind]:
            unknown = sorted(set(values) - _COLUMN_SETS[kind])
            raise KeyError(f"{kind} has no column(s) {unknown}")
        self.rows[kind].append(tuple([cell(values.get(column)) for column in columns]))

    def extend(self, other: Dataset) -> None:
        for kind in KINDS:
            self.rows[kind].extend(other.rows[kind])

    def counts(self) -> dict[str, int]:
        return {kind: len(rows) for kind, rows in self.rows.items()}
