"""Sales leads, their offers to partners and the partners' events on them
(DOMAIN.md, "Files")."""

from __future__ import annotations

from collections.abc import Sequence

from server.ingest import _values as v
from server.ingest._row import RowContext
from server.ingest._spec import KindSpec, Lookup, Record, need, need_at, opt, opt_at
from server.ingest._values import instant_sql as at

RATING_KINDS = frozenset({"LEAD_RATING", "CUSTOMER_RATING"})
ANSWERED = frozenset({"ACCEPTED", "DECLINED"})

# A lead is found by its ref inside the importer of the partner it is offered to.
LEAD_OF_PARTNER = Lookup(
    column="lead_ref",
    sql="""SELECT s.line, s.lead_ref, false FROM ingest_stage s
        LEFT JOIN leads l ON l.importer_id = s.importer_id AND l.lead_ref = s.lead_ref
        WHERE l.id IS NULL""",
    describe=lambda ref, _e, _s: f"unknown lead_ref '{ref}': load it in leads first",
)


def _lead(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, importer_ref, created, source, marketplace_ref, exclusive, workshop_ref = row
    importer_id = ctx.importer(importer_ref)
    if source == "MARKETPLACE" and marketplace_ref is None:
        ctx.error("marketplace_ref", "a MARKETPLACE lead needs its marketplace_ref")
    marketplace_id = ctx.ref_in("marketplace", "marketplace_ref", marketplace_ref, importer_id)
    workshop_id = ctx.ref_in("workshop", "workshop_ref", workshop_ref, importer_id)
    return (ctx.line, importer_id, ref, created, source, marketplace_id, exclusive, workshop_id)


LEADS = KindSpec(
    kind="leads",
    table="leads",
    columns=(
        need("lead_ref"),
        need("importer_ref", sets="importer_id"),
        need_at("created_at", v.timestamp),
        need("source", v.one_of("MARKETPLACE", "DIRECT")),
        opt("marketplace_ref", sets="marketplace_id"),
        need("exclusive", v.boolean),
        opt("workshop_ref", sets="workshop_id"),
    ),
    stage=(
        ("importer_id", "int4"),
        ("lead_ref", "text"),
        ("created_at", "int8"),
        ("source", "text"),
        ("marketplace_id", "int4"),
        ("exclusive", "bool"),
        ("workshop_id", "int4"),
    ),
    build=_lead,
    refs=("marketplace", "workshop"),
    incoming=f"""SELECT importer_id, lead_ref, {at("created_at")}, source, marketplace_id,
        exclusive, workshop_id FROM ingest_stage s""",
    insert=(
        "importer_id",
        "lead_ref",
        "created_at",
        "source",
        "marketplace_id",
        "exclusive",
        "workshop_id",
    ),
    key=("importer_id", "lead_ref"),
    unique=("importer_id", "lead_ref"),
    unique_label="lead_ref",
)


def _offer(ctx: RowContext, row: Sequence[object]) -> Record:
    lead_ref, partner_ref, offered, expires, response, responded = row
    partner = ctx.ref_anywhere("partner", "partner_ref", partner_ref)
    if response in ANSWERED and responded is None:
        ctx.error("responded_at", f"response {response} needs responded_at")
    if partner is None:
        return ()
    return (ctx.line, partner[0], lead_ref, partner[1], offered, expires, response, responded)


LEAD_OFFERS = KindSpec(
    kind="lead_offers",
    table="lead_offers",
    columns=(
        need("lead_ref", sets="lead_id"),
        need("partner_ref", sets="partner_id"),
        need_at("offered_at", v.timestamp),
        opt("expires_at", v.timestamp),  # may lie ahead: no window
        need("response", v.one_of("PENDING", "ACCEPTED", "DECLINED", "EXPIRED")),
        opt_at("responded_at", v.timestamp),
    ),
    stage=(
        ("importer_id", "int4"),
        ("lead_ref", "text"),
        ("partner_id", "int4"),
        ("offered_at", "int8"),
        ("expires_at", "int8"),
        ("response", "text"),
        ("responded_at", "int8"),
    ),
    build=_offer,
    refs=("partner",),
    lookups=(LEAD_OF_PARTNER,),
    incoming=f"""SELECT s.importer_id, l.id, s.partner_id, {at("s.offered_at")},
        {at("s.expires_at")}, s.response, {at("s.responded_at")}
        FROM ingest_stage s
        JOIN leads l ON l.importer_id = s.importer_id AND l.lead_ref = s.lead_ref""",
    insert=(
        "importer_id",
        "lead_id",
        "partner_id",
        "offered_at",
        "expires_at",
        "response",
        "responded_at",
    ),
    key=("lead_id", "partner_id"),
    unique=("importer_id", "lead_ref", "partner_id"),
    unique_label="lead_ref, partner_ref",
)


def _event(ctx: RowContext, row: Sequence[object]) -> Record:
    lead_ref, partner_ref, occurred, kind, value = row
    partner = ctx.ref_anywhere("partner", "partner_ref", partner_ref)
    if kind in RATING_KINDS:
        if value is None:
            ctx.error("value", f"missing required value: a {kind} needs a rating 1..5 in value")
        elif isinstance(value, int) and not 1 <= value <= 5:
            ctx.error("value", f"rating {value} is outside 1..5")
    if partner is None:
        return ()
    return (ctx.line, partner[0], lead_ref, partner[1], occurred, kind, value)


LEAD_EVENTS = KindSpec(
    kind="lead_events",
    table="lead_events",
    columns=(
        need("lead_ref", sets="lead_id"),
        need("partner_ref", sets="partner_id"),
        need_at("occurred_at", v.timestamp),
        need(
            "kind",
            v.one_of("FEEDBACK", "FIRST_CONTACT", "WON", "LOST", "LEAD_RATING", "CUSTOMER_RATING"),
        ),
        opt("value", v.integer),
    ),
    stage=(
        ("importer_id", "int4"),
        ("lead_ref", "text"),
        ("partner_id", "int4"),
        ("occurred_at", "int8"),
        ("kind", "text"),
        ("value", "int4"),
    ),
    build=_event,
    refs=("partner",),
    lookups=(LEAD_OF_PARTNER,),
    incoming=f"""SELECT s.importer_id, l.id, s.partner_id, {at("s.occurred_at")}, s.kind, s.value
        FROM ingest_stage s
        JOIN leads l ON l.importer_id = s.importer_id AND l.lead_ref = s.lead_ref""",
    insert=("importer_id", "lead_id", "partner_id", "occurred_at", "kind", "value"),
    key=("lead_id", "partner_id", "kind", "occurred_at"),
    unique=("importer_id", "lead_ref", "partner_id", "kind", "occurred_at"),
    unique_label="lead_ref, partner_ref, kind, occurred_at",
)
