"""Facts about workshops: vehicles, visits, activations, chats, app and staff
activity, campaigns (DOMAIN.md, "Files")."""

from __future__ import annotations

from collections.abc import Sequence

from server.ingest import _values as v
from server.ingest._row import RowContext
from server.ingest._spec import KindSpec, Lookup, Record, need, need_at, opt_at
from server.ingest._values import instant_sql as at

# A VIN is a vehicle per importer (DOMAIN.md, "Identifiers"): a car sold across
# a border is a vehicle of each importer that services it, and whether another
# importer knows a VIN is never visible, not even in an error message.
VIN_OF_WORKSHOP = Lookup(
    column="vin",
    sql="""SELECT s.line, s.vin, false FROM ingest_stage s
        LEFT JOIN vehicles v ON v.importer_id = s.importer_id AND v.vin = s.vin
        WHERE v.id IS NULL""",
    describe=lambda vin, _e, _s: f"unknown vin '{vin}': load it in vehicles first",
)


def _vehicle(ctx: RowContext, row: Sequence[object]) -> Record:
    vin, importer_ref, make, model, model_year = row
    return (ctx.line, ctx.importer(importer_ref), vin, make, model, model_year)


VEHICLES = KindSpec(
    kind="vehicles",
    table="vehicles",
    columns=(
        need("vin"),
        need("importer_ref", sets="importer_id"),
        need("make"),
        need("model"),
        need("model_year", v.year),
    ),
    stage=(
        ("importer_id", "int4"),
        ("vin", "text"),
        ("make", "text"),
        ("model", "text"),
        ("model_year", "int4"),
    ),
    build=_vehicle,
    incoming="SELECT importer_id, vin, make, model, model_year FROM ingest_stage s",
    insert=("importer_id", "vin", "make", "model", "model_year"),
    key=("importer_id", "vin"),
    unique=("importer_id", "vin"),
    unique_label="vin",
)


def _visit(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, workshop_ref, vin, arrived, departed = row
    workshop = ctx.ref_anywhere("workshop", "workshop_ref", workshop_ref)
    if departed is not None and arrived is not None and departed < arrived:  # type: ignore[operator]
        ctx.error("departed_at", "departed_at is before arrived_at: check both")
    if workshop is None:
        return ()
    return (ctx.line, workshop[0], workshop[1], ref, vin, arrived, departed)


VISITS = KindSpec(
    kind="visits",
    table="visits",
    columns=(
        need("visit_ref"),
        need("workshop_ref", sets="workshop_id"),
        need("vin", sets="vehicle_id"),
        need_at("arrived_at", v.timestamp),
        opt_at("departed_at", v.timestamp),
    ),
    stage=(
        ("importer_id", "int4"),
        ("workshop_id", "int4"),
        ("visit_ref", "text"),
        ("vin", "text"),
        ("arrived_at", "int8"),
        ("departed_at", "int8"),
    ),
    build=_visit,
    refs=("workshop",),
    lookups=(VIN_OF_WORKSHOP,),
    incoming=f"""SELECT s.importer_id, s.visit_ref, s.workshop_id, v.id,
        {at("s.arrived_at")}, {at("s.departed_at")}
        FROM ingest_stage s JOIN vehicles v ON v.vin = s.vin AND v.importer_id = s.importer_id""",
    insert=("importer_id", "visit_ref", "workshop_id", "vehicle_id", "arrived_at", "departed_at"),
    key=("importer_id", "visit_ref"),
    unique=("importer_id", "visit_ref"),
    unique_label="visit_ref",
)


def _activation(ctx: RowContext, row: Sequence[object]) -> Record:
    vin, workshop_ref, invited, activated, deactivated = row
    workshop = ctx.ref_anywhere("workshop", "workshop_ref", workshop_ref)
    if workshop is None:
        return ()
    return (ctx.line, workshop[0], workshop[1], vin, invited, activated, deactivated)


ACTIVATIONS = KindSpec(
    kind="activations",
    table="activations",
    columns=(
        need("vin", sets="vehicle_id"),
        need("workshop_ref", sets="workshop_id"),
        need_at("invited_at", v.timestamp),
        opt_at("activated_at", v.timestamp),
        opt_at("deactivated_at", v.timestamp),
    ),
    stage=(
        ("importer_id", "int4"),
        ("workshop_id", "int4"),
        ("vin", "text"),
        ("invited_at", "int8"),
        ("activated_at", "int8"),
        ("deactivated_at", "int8"),
    ),
    build=_activation,
    refs=("workshop",),
    lookups=(VIN_OF_WORKSHOP,),
    incoming=f"""SELECT s.importer_id, v.id, s.workshop_id, {at("s.invited_at")},
        {at("s.activated_at")}, {at("s.deactivated_at")}
        FROM ingest_stage s JOIN vehicles v ON v.vin = s.vin AND v.importer_id = s.importer_id""",
    insert=(
        "importer_id",
        "vehicle_id",
        "workshop_id",
        "invited_at",
        "activated_at",
        "deactivated_at",
    ),
    key=("vehicle_id", "invited_at"),
    unique=("vin", "invited_at"),
    unique_label="vin, invited_at",
)


def _chat(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, workshop_ref, started, messages, first_response = row
    workshop = ctx.ref_anywhere("workshop", "workshop_ref", workshop_ref)
    if workshop is None:
        return ()
    return (ctx.line, workshop[0], workshop[1], ref, started, messages, first_response)


CHATS = KindSpec(
    kind="chats",
    table="chats",
    columns=(
        need("conversation_ref"),
        need("workshop_ref", sets="workshop_id"),
        need_at("started_at", v.timestamp),
        need("messages", v.count),
        opt_at("first_response_at", v.timestamp),
    ),
    stage=(
        ("importer_id", "int4"),
        ("workshop_id", "int4"),
        ("conversation_ref", "text"),
        ("started_at", "int8"),
        ("messages", "int4"),
        ("first_response_at", "int8"),
    ),
    build=_chat,
    refs=("workshop",),
    incoming=f"""SELECT importer_id, conversation_ref, workshop_id, {at("started_at")}, messages,
        {at("first_response_at")} FROM ingest_stage s""",
    insert=(
        "importer_id",
        "conversation_ref",
        "workshop_id",
        "started_at",
        "messages",
        "first_response_at",
    ),
    key=("importer_id", "conversation_ref"),
    unique=("importer_id", "conversation_ref"),
    unique_label="conversation_ref",
)


def _app_activity(ctx: RowContext, row: Sequence[object]) -> Record:
    user_ref, workshop_ref, day = row
    workshop = ctx.ref_anywhere("workshop", "workshop_ref", workshop_ref)
    if workshop is None:
        return ()
    return (ctx.line, workshop[0], workshop[1], user_ref, day)


APP_ACTIVITY = KindSpec(
    kind="app_activity",
    table="app_activity",
    columns=(
        need("app_user_ref", sets="app_user_id"),
        need("workshop_ref", sets="workshop_id"),
        need_at("day", v.day),
    ),
    stage=(
        ("importer_id", "int4"),
        ("workshop_id", "int4"),
        ("app_user_ref", "text"),
        ("day", "date"),
    ),
    build=_app_activity,
    refs=("workshop",),
    prepare=(
        """INSERT INTO app_users (importer_id, app_user_ref)
        SELECT DISTINCT importer_id, app_user_ref FROM ingest_stage
        ON CONFLICT (importer_id, app_user_ref) DO NOTHING""",
    ),
    incoming="""SELECT u.id, s.workshop_id, s.day, s.importer_id FROM ingest_stage s
        JOIN app_users u ON u.importer_id = s.importer_id AND u.app_user_ref = s.app_user_ref""",
    insert=("app_user_id", "workshop_id", "day", "importer_id"),
    key=("app_user_id", "workshop_id", "day"),
    unique=("workshop_id", "app_user_ref", "day"),
    unique_label="app_user_ref, workshop_ref, day",
)


def _staff_activity(ctx: RowContext, row: Sequence[object]) -> Record:
    user_ref, workshop_ref, day, actions = row
    workshop = ctx.ref_anywhere("workshop", "workshop_ref", workshop_ref)
    if workshop is None:
        return ()
    return (ctx.line, workshop[0], workshop[1], user_ref, day, actions)


STAFF_ACTIVITY = KindSpec(
    kind="staff_activity",
    table="staff_activity",
    columns=(
        need("user_ref", sets="staff_user_id"),
        need("workshop_ref", sets="workshop_id"),
        need_at("day", v.day),
        need("actions", v.count),
    ),
    stage=(
        ("importer_id", "int4"),
        ("workshop_id", "int4"),
        ("user_ref", "text"),
        ("day", "date"),
        ("actions", "int4"),
    ),
    build=_staff_activity,
    refs=("workshop",),
    prepare=(
        """INSERT INTO staff_users (importer_id, user_ref)
        SELECT DISTINCT importer_id, user_ref FROM ingest_stage
        ON CONFLICT (importer_id, user_ref) DO NOTHING""",
    ),
    incoming="""SELECT u.id, s.workshop_id, s.day, s.importer_id, s.actions FROM ingest_stage s
        JOIN staff_users u ON u.importer_id = s.importer_id AND u.user_ref = s.user_ref""",
    insert=("staff_user_id", "workshop_id", "day", "importer_id", "actions"),
    key=("staff_user_id", "workshop_id", "day"),
    unique=("workshop_id", "user_ref", "day"),
    unique_label="user_ref, workshop_ref, day",
)


def _campaign(ctx: RowContext, row: Sequence[object]) -> Record:
    ref, workshop_ref, sent, recipients = row
    workshop = ctx.ref_anywhere("workshop", "workshop_ref", workshop_ref)
    if workshop is None:
        return ()
    return (ctx.line, workshop[0], workshop[1], ref, sent, recipients)


CAMPAIGNS = KindSpec(
    kind="campaigns",
    table="campaigns",
    columns=(
        need("campaign_ref"),
        need("workshop_ref", sets="workshop_id"),
        need_at("sent_at", v.timestamp),
        need("recipients", v.count),
    ),
    stage=(
        ("importer_id", "int4"),
        ("workshop_id", "int4"),
        ("campaign_ref", "text"),
        ("sent_at", "int8"),
        ("recipients", "int4"),
    ),
    build=_campaign,
    refs=("workshop",),
    incoming=f"""SELECT importer_id, campaign_ref, workshop_id, {at("sent_at")}, recipients
        FROM ingest_stage s""",
    insert=("importer_id", "campaign_ref", "workshop_id", "sent_at", "recipients"),
    key=("importer_id", "campaign_ref"),
    unique=("importer_id", "campaign_ref"),
    unique_label="campaign_ref",
)
