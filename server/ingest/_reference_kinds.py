"""Reference data: importers, workshops, eligibility rules, marketplaces and
sales partners (DOMAIN.md, "Files")."""

from __future__ import annotations

from collections.abc import Sequence

from server.ingest import _values as v
from server.ingest._row import RowContext
from server.ingest._spec import KindSpec, Record, need, opt


def _importer(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, name, tz, goal, due_days, lead_rating, customer_rating = row
    ctx.own_importer(ref)
    return (ctx.line, ref, name, tz, goal, due_days, lead_rating, customer_rating)


IMPORTERS = KindSpec(
    kind="importers",
    table="importers",
    columns=(
        need("importer_ref"),
        need("name"),
        opt("timezone", v.timezone, default="Europe/Copenhagen"),
        opt("connection_rate_goal", v.rate),
        opt("lead_due_days", v.count, default=30),
        opt("lead_rating_enabled", v.boolean, default=False),
        opt("customer_rating_enabled", v.boolean, default=False),
    ),
    stage=(
        ("importer_ref", "text"),
        ("name", "text"),
        ("timezone", "text"),
        ("connection_rate_goal", "float8"),
        ("lead_due_days", "int4"),
        ("lead_rating_enabled", "bool"),
        ("customer_rating_enabled", "bool"),
    ),
    build=_importer,
    incoming="""SELECT importer_ref, name, timezone, connection_rate_goal, lead_due_days,
        lead_rating_enabled, customer_rating_enabled FROM ingest_stage s""",
    insert=(
        "importer_ref",
        "name",
        "timezone",
        "connection_rate_goal",
        "lead_due_days",
        "lead_rating_enabled",
        "customer_rating_enabled",
    ),
    key=("importer_ref",),
    unique=("importer_ref",),
    unique_label="importer_ref",
)


def _workshop(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, importer_ref, name, city, goal = row
    return (ctx.line, ctx.importer(importer_ref), ref, name, city, goal)


WORKSHOPS = KindSpec(
    kind="workshops",
    table="workshops",
    columns=(
        need("workshop_ref"),
        need("importer_ref", sets="importer_id"),
        need("name"),
        opt("city"),
        opt("connection_rate_goal", v.rate),
    ),
    stage=(
        ("importer_id", "int4"),
        ("workshop_ref", "text"),
        ("name", "text"),
        ("city", "text"),
        ("connection_rate_goal", "float8"),
    ),
    build=_workshop,
    incoming="""SELECT importer_id, workshop_ref, name, city, connection_rate_goal
        FROM ingest_stage s""",
    insert=("importer_id", "workshop_ref", "name", "city", "connection_rate_goal"),
    key=("importer_id", "workshop_ref"),
    unique=("importer_id", "workshop_ref"),
    unique_label="workshop_ref",
)


def _rule(ctx: RowContext, row: Sequence[object]) -> Record:
    importer_ref, make, model, year_from, year_to, include = row
    return (ctx.line, ctx.importer(importer_ref), make, model, year_from, year_to, include)


# No key: a rules file replaces the rule set of every importer it names.
ELIGIBILITY_RULES = KindSpec(
    kind="eligibility_rules",
    table="eligibility_rules",
    columns=(
        need("importer_ref", sets="importer_id"),
        need("make"),
        opt("model"),
        opt("year_from", v.integer),
        opt("year_to", v.integer),
        need("include", v.boolean),
    ),
    stage=(
        ("importer_id", "int4"),
        ("make", "text"),
        ("model", "text"),
        ("year_from", "int4"),
        ("year_to", "int4"),
        ("include", "bool"),
    ),
    build=_rule,
    incoming="SELECT importer_id, make, model, year_from, year_to, include FROM ingest_stage s",
    insert=("importer_id", "make", "model", "year_from", "year_to", "include"),
    key=(),
)


def _marketplace(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, importer_ref, name = row
    return (ctx.line, ctx.importer(importer_ref), ref, name)


MARKETPLACES = KindSpec(
    kind="marketplaces",
    table="marketplaces",
    columns=(need("marketplace_ref"), need("importer_ref", sets="importer_id"), need("name")),
    stage=(("importer_id", "int4"), ("marketplace_ref", "text"), ("name", "text")),
    build=_marketplace,
    incoming="SELECT importer_id, marketplace_ref, name FROM ingest_stage s",
    insert=("importer_id", "marketplace_ref", "name"),
    key=("importer_id", "marketplace_ref"),
    unique=("importer_id", "marketplace_ref"),
    unique_label="marketplace_ref",
)


def _partner(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, importer_ref, name, workshop_ref, since = row
    importer_id = ctx.importer(importer_ref)
    workshop_id = ctx.ref_in("workshop", "workshop_ref", workshop_ref, importer_id)
    return (ctx.line, importer_id, ref, name, workshop_id, since)


SALES_PARTNERS = KindSpec(
    kind="sales_partners",
    table="sales_partners",
    columns=(
        need("partner_ref"),
        need("importer_ref", sets="importer_id"),
        need("name"),
        opt("workshop_ref", sets="workshop_id"),
        need("partner_since", v.day),
    ),
    stage=(
        ("importer_id", "int4"),
        ("partner_ref", "text"),
        ("name", "text"),
        ("workshop_id", "int4"),
        ("partner_since", "date"),
    ),
    build=_partner,
    refs=("workshop",),
    incoming="""SELECT importer_id, partner_ref, name, workshop_id, partner_since
        FROM ingest_stage s""",
    insert=("importer_id", "partner_ref", "name", "workshop_id", "partner_since"),
    key=("importer_id", "partner_ref"),
    unique=("importer_id", "partner_ref"),
    unique_label="partner_ref",
)
