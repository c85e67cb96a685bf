"""The CSV formats as documentation: what each kind's rows and columns mean, with
an example value per column.

The columns themselves (names, parsers, required, defaults, upsert keys) are
defined once in the kind specs (``_specs``); this module adds only the words a
sender needs, and ``docs/csv-formats.md``, ``examples/csv/``, the integration
schema's descriptions and ``insights ingest --template`` are derived from both.
A test fails when a spec column has no entry here or an example does not parse.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.ingest import _values as v
from server.ingest._spec import Column, KindSpec
from server.ingest._specs import SPECS


@dataclass(frozen=True)
class ColumnDoc:
    """What one column holds (a sentence) and an example value for it."""

    text: str
    example: str


@dataclass(frozen=True)
class KindDoc:
    """What one row of a kind stands for, and the columns' words."""

    row: str
    columns: dict[str, ColumnDoc]
    note: str = ""


_IMPORTER = ColumnDoc("The importer the row belongs to (`importers.importer_ref`).", "acme")
_WORKSHOP = ColumnDoc("A workshop of the importer (`workshops.workshop_ref`).", "DK-W001")
_VIN = ColumnDoc("The VIN, as in `vehicles.vin` of the same importer.", "WVWZZZ1KZAW000001")
_PARTNER = ColumnDoc("A sales partner of the importer (`sales_partners.partner_ref`).", "DK-P01")
_LEAD = ColumnDoc("A lead of the importer (`leads.lead_ref`).", "L-000001")
_GOAL = "Target connection rate as a fraction 0..1 (0.6 = 60 %)."

KIND_DOCS: dict[str, KindDoc] = {
    "importers": KindDoc(
        "One importer (a tenant): its timezone and dashboard settings.",
        {
            "importer_ref": ColumnDoc("The importer's reference, chosen by the sender.", "acme"),
            "name": ColumnDoc("Display name.", "Acme Motors Danmark"),
            "timezone": ColumnDoc(
                "IANA timezone whose calendar days every timestamp of the importer falls on.",
                "Europe/Copenhagen",
            ),
            "connection_rate_goal": ColumnDoc(_GOAL + " The default of its workshops.", "0.6"),
            "lead_due_days": ColumnDoc(
                "Days after acceptance after which an open lead counts as overdue.", "30"
            ),
            "lead_rating_enabled": ColumnDoc(
                "Whether the partner dashboard shows the lead rating.", "true"
            ),
            "customer_rating_enabled": ColumnDoc(
                "Whether the partner dashboard shows the customer rating.", "false"
            ),
        },
        note="A token may only load rows of its own importer.",
    ),
    "workshops": KindDoc(
        "One workshop (dealer or service workshop) of an importer.",
        {
            "workshop_ref": ColumnDoc("The workshop's reference (unique).", "DK-W001"),
            "importer_ref": _IMPORTER,
            "name": ColumnDoc("Display name.", "Autohuset Nord"),
            "city": ColumnDoc("City, matched by the `workshops(search:)` query.", "Aalborg"),
            "connection_rate_goal": ColumnDoc(
                _GOAL + " Overrides the importer's goal; empty: the importer's applies.", "0.65"
            ),
        },
    ),
    "eligibility_rules": KindDoc(
        "One rule deciding which vehicles count as eligible for the connection rate.",
        {
            "importer_ref": _IMPORTER,
            "make": ColumnDoc("Make the rule matches (case-insensitive).", "Volkswagen"),
            "model": ColumnDoc("Model the rule matches; empty: every model.", "ID.4"),
            "year_from": ColumnDoc("First model year matched; empty: no lower bound.", "2019"),
            "year_to": ColumnDoc("Last model year matched; empty: no upper bound.", "2026"),
            "include": ColumnDoc("`true` includes matches, `false` excludes them.", "true"),
        },
        note=(
            "A file replaces the whole rule set of every importer it names. A vehicle is "
            "eligible when it matches an include rule and no exclude rule; with no include "
            "rules at all, every vehicle not excluded is eligible."
        ),
    ),
    "marketplaces": KindDoc(
        "One marketplace through which leads are offered to sales partners.",
        {
            "marketplace_ref": ColumnDoc("The marketplace's reference.", "M-WEB"),
            "importer_ref": _IMPORTER,
            "name": ColumnDoc("Display name.", "Web leads"),
        },
    ),
    "sales_partners": KindDoc(
        "One sales partner (a dealer receiving leads).",
        {
            "partner_ref": ColumnDoc("The partner's reference, unique in its importer.", "DK-P01"),
            "importer_ref": _IMPORTER,
            "name": ColumnDoc("Display name.", "Bilcenter Syd"),
            "workshop_ref": ColumnDoc("The workshop this partner also is, if any.", "DK-W001"),
            "partner_since": ColumnDoc("The day the partnership started.", "2021-04-01"),
        },
    ),
    "vehicles": KindDoc(
        "Master data of one vehicle of an importer.",
        {
            "vin": ColumnDoc("The VIN, unique within the importer.", _VIN.example),
            "importer_ref": _IMPORTER,
            "make": ColumnDoc("Make, matched by the eligibility rules.", "Volkswagen"),
            "model": ColumnDoc("Model, matched by the eligibility rules.", "ID.4"),
            "model_year": ColumnDoc("Model year, matched by the eligibility rules.", "2022"),
        },
    ),
    "visits": KindDoc(
        "One stay of a vehicle in a workshop, from the workshop tool system.",
        {
            "visit_ref": ColumnDoc("The visit's reference.", "V-0000001"),
            "workshop_ref": _WORKSHOP,
            "vin": _VIN,
            "arrived_at": ColumnDoc("When the vehicle arrived.", "2026-10-01T08:10:00+02:00"),
            "departed_at": ColumnDoc(
                "When it left (the day it counts in the throughput); empty while it is still "
                "there; not before arrived_at.",
                "2026-10-01T16:45:00+02:00",
            ),
        },
    ),
    "activations": KindDoc(
        "A customer invited by a workshop to connect a vehicle, and the outcome.",
        {
            "vin": _VIN,
            "workshop_ref": ColumnDoc("The workshop that sent the invitation.", "DK-W001"),
            "invited_at": ColumnDoc(
                "When the invitation was sent; with vin the row's key.", "2026-10-01T16:40:00+02:00"
            ),
            "activated_at": ColumnDoc(
                "When the customer completed the connection flow; empty: not (yet).",
                "2026-10-02T09:12:00+02:00",
            ),
            "deactivated_at": ColumnDoc("When the connection ended; empty: still active.", ""),
        },
    ),
    "chats": KindDoc(
        "One chat conversation between a workshop and a customer.",
        {
            "conversation_ref": ColumnDoc("The conversation's reference.", "C-000001"),
            "workshop_ref": _WORKSHOP,
            "started_at": ColumnDoc("When the conversation started.", "2026-10-02T10:00:00+02:00"),
            "messages": ColumnDoc("Number of messages in it (0 or more).", "6"),
            "first_response_at": ColumnDoc(
                "When the workshop first answered; empty: not answered.",
                "2026-10-02T10:07:30+02:00",
            ),
        },
    ),
    "leads": KindDoc(
        "One sales lead of an importer.",
        {
            "lead_ref": ColumnDoc("The lead's reference.", "L-000001"),
            "importer_ref": _IMPORTER,
            "created_at": ColumnDoc("When the lead was created.", "2026-10-02T11:00:00+02:00"),
            "source": ColumnDoc(
                "`MARKETPLACE` (offered through a marketplace) or `DIRECT` (assigned).",
                "MARKETPLACE",
            ),
            "marketplace_ref": ColumnDoc(
                "The marketplace (`marketplaces.marketplace_ref`); required for MARKETPLACE.",
                "M-WEB",
            ),
            "exclusive": ColumnDoc("Whether the lead is offered to one partner only.", "false"),
            "workshop_ref": ColumnDoc("The workshop that created the lead, if any.", "DK-W001"),
        },
    ),
    "lead_offers": KindDoc(
        "A lead offered to one sales partner, and the partner's answer.",
        {
            "lead_ref": _LEAD,
            "partner_ref": _PARTNER,
            "offered_at": ColumnDoc("When the offer was made.", "2026-10-02T11:00:00+02:00"),
            "expires_at": ColumnDoc("When the offer lapses.", "2026-10-03T11:00:00+02:00"),
            "response": ColumnDoc(
                "`PENDING`, `ACCEPTED`, `DECLINED` or `EXPIRED`.",
                "ACCEPTED",
            ),
            "responded_at": ColumnDoc(
                "When the partner answered; required for ACCEPTED and DECLINED.",
                "2026-10-02T12:30:00+02:00",
            ),
        },
    ),
    "lead_events": KindDoc(
        "A step of a partner's work on a lead it accepted.",
        {
            "lead_ref": _LEAD,
            "partner_ref": _PARTNER,
            "occurred_at": ColumnDoc("When it happened.", "2026-10-04T09:00:00+02:00"),
            "kind": ColumnDoc(
                "`FEEDBACK`, `FIRST_CONTACT`, `WON`, `LOST`, `LEAD_RATING` or `CUSTOMER_RATING`.",
                "FIRST_CONTACT",
            ),
            "value": ColumnDoc(
                "The rating 1..5; required for LEAD_RATING and CUSTOMER_RATING, else empty.", ""
            ),
        },
    ),
    "app_activity": KindDoc(
        "An end customer used the app on a day (attributed to their workshop).",
        {
            "app_user_ref": ColumnDoc("The app user's reference.", "U-000001"),
            "workshop_ref": _WORKSHOP,
            "day": ColumnDoc("The day, in the importer's timezone.", "2026-10-02"),
        },
    ),
    "staff_activity": KindDoc(
        "A workshop staff member used the platform on a day.",
        {
            "user_ref": ColumnDoc("The staff member's reference.", "S-0001"),
            "workshop_ref": _WORKSHOP,
            "day": ColumnDoc("The day, in the importer's timezone.", "2026-10-02"),
            "actions": ColumnDoc("Number of actions that day (0 or more).", "14"),
        },
    ),
    "campaigns": KindDoc(
        "A marketing campaign sent by (or for) a workshop.",
        {
            "campaign_ref": ColumnDoc("The campaign's reference.", "CMP-0001"),
            "workshop_ref": _WORKSHOP,
            "sent_at": ColumnDoc("When it was sent.", "2026-10-02T08:00:00+02:00"),
            "recipients": ColumnDoc("Number of recipients reached (0 or more).", "250"),
        },
    ),
}

_TYPES: dict[object, str] = {
    None: "text",
    v.integer: "integer",
    v.count: "count (integer ≥ 0)",
    v.year: "year (1880 to 2999)",
    v.number: "number",
    v.rate: "fraction 0..1",
    v.boolean: "`true` / `false`",
    v.day: "date `YYYY-MM-DD`",
    v.timestamp: "timestamp, ISO 8601 with offset",
    v.timezone: "IANA timezone",
}


def column_type(column: Column) -> str:
    """A column's value type in words (enum columns: ``enum``)."""
    return _TYPES.get(column.parse, "enum")


def column_doc(kind: str, column: str) -> ColumnDoc:
    return KIND_DOCS[kind].columns[column]


def describe_column(kind: str, column: Column) -> str:
    """One line for a schema description or a table cell: words, type, default."""
    doc = column_doc(kind, column.name)
    default = f" Default: {column.default}." if column.default is not None else ""
    return f"{doc.text} ({column_type(column)}).{default}"


def upsert_key(spec: KindSpec) -> tuple[str, ...]:
    """The CSV columns that identify a row (empty: the kind replaces a set)."""
    return tuple(part.strip() for part in spec.unique_label.split(",") if part.strip())


def template(kind: str) -> str:
    """A CSV header and one example row for ``kind`` (``insights ingest --template``)."""
    columns = SPECS[kind].columns
    header = ",".join(c.name for c in columns)
    row = ",".join(column_doc(kind, c.name).example for c in columns)
    return f"{header}\n{row}\n"
