"""Plain-SQL insert helpers for hand-built data sets (each returns the new row's id).

Facts take their ``importer_id`` from the workshop or lead they belong to, so a
test only names what matters. References are generated unless given.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_serial = itertools.count(1)


def _ref(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


def _of(table: str, key: str) -> str:
    """The importer of the row ``key`` points to, as a scalar subquery."""
    return f"(SELECT importer_id FROM {table} WHERE id = :{key})"


async def _insert(
    conn: AsyncConnection,
    table: str,
    values: Mapping[str, Any],
    *,
    importer_of: str | None = None,
    returning: str | None = "id",
) -> Any:
    columns = list(values)
    placeholders = [f":{column}" for column in columns]
    if importer_of is not None:
        columns.insert(0, "importer_id")
        placeholders.insert(0, importer_of)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(placeholders)})"
    if returning is not None:
        sql += f" RETURNING {returning}"
    result = await conn.execute(text(sql), dict(values))
    return result.scalar_one() if returning is not None else None


async def insert_importer(
    conn: AsyncConnection,
    *,
    ref: str | None = None,
    timezone: str = "Europe/Copenhagen",
    connection_rate_goal: float | None = None,
    lead_due_days: int = 30,
    lead_rating_enabled: bool = False,
    customer_rating_enabled: bool = False,
) -> int:
    ref = ref or _ref("imp")
    values = {
        "importer_ref": ref,
        "name": ref,
        "timezone": timezone,
        "connection_rate_goal": connection_rate_goal,
        "lead_due_days": lead_due_days,
        "lead_rating_enabled": lead_rating_enabled,
        "customer_rating_enabled": customer_rating_enabled,
    }
    return int(await _insert(conn, "importers", values))


async def insert_workshop(
    conn: AsyncConnection,
    importer_id: int,
    *,
    ref: str | None = None,
    connection_rate_goal: float | None = None,
) -> int:
    ref = ref or _ref("ws")
    values = {
        "importer_id": importer_id,
        "workshop_ref": ref,
        "name": ref,
        "connection_rate_goal": connection_rate_goal,
    }
    return int(await _insert(conn, "workshops", values))


async def insert_rule(
    conn: AsyncConnection,
    importer_id: int,
    make: str,
    *,
    include: bool,
    model: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> int:
    values = {
        "importer_id": importer_id,
        "make": make,
        "model": model,
        "year_from": year_from,
        "year_to": year_to,
        "include": include,
    }
    return int(await _insert(conn, "eligibility_rules", values))


async def insert_vehicle(
    conn: AsyncConnection, importer_id: int, make: str, model: str, model_year: int
) -> int:
    values = {
        "importer_id": importer_id,
        "vin": _ref("VIN"),
        "make": make,
        "model": model,
        "model_year": model_year,
    }
    return int(await _insert(conn, "vehicles", values))


async def insert_visit(
    conn: AsyncConnection,
    workshop_id: int,
    vehicle_id: int,
    arrived_at: datetime,
    departed_at: datetime | None = None,
) -> int:
    values = {
        "workshop_id": workshop_id,
        "visit_ref": _ref("visit"),
        "vehicle_id": vehicle_id,
        "arrived_at": arrived_at,
        "departed_at": departed_at,
    }
    return int(await _insert(conn, "visits", values, importer_of=_of("workshops", "workshop_id")))


async def insert_activation(
    conn: AsyncConnection,
    workshop_id: int,
    vehicle_id: int,
    invited_at: datetime,
    activated_at: datetime | None = None,
    deactivated_at: datetime | None = None,
) -> int:
    values = {
        "workshop_id": workshop_id,
        "vehicle_id": vehicle_id,
        "invited_at": invited_at,
        "activated_at": activated_at,
        "deactivated_at": deactivated_at,
    }
    importer = _of("workshops", "workshop_id")
    return int(await _insert(conn, "activations", values, importer_of=importer))


async def insert_chat(
    conn: AsyncConnection,
    workshop_id: int,
    started_at: datetime,
    messages: int,
    first_response_at: datetime | None = None,
) -> int:
    values = {
        "workshop_id": workshop_id,
        "conversation_ref": _ref("chat"),
        "started_at": started_at,
        "messages": messages,
        "first_response_at": first_response_at,
    }
    return int(await _insert(conn, "chats", values, importer_of=_of("workshops", "workshop_id")))


async def insert_campaign(
    conn: AsyncConnection, workshop_id: int, sent_at: datetime, recipients: int
) -> int:
    values = {
        "workshop_id": workshop_id,
        "campaign_ref": _ref("campaign"),
        "sent_at": sent_at,
        "recipients": recipients,
    }
    importer = _of("workshops", "workshop_id")
    return int(await _insert(conn, "campaigns", values, importer_of=importer))


# The dense user tables and the column holding each one's reference.
_USER_REF_COLUMN = {"staff_users": "user_ref", "app_users": "app_user_ref"}


async def _user_id(conn: AsyncConnection, table: str, workshop_id: int, user_ref: str) -> int:
    """Get-or-create the dense user row of ``user_ref`` in the workshop's importer."""
    column = _USER_REF_COLUMN[table]
    sql = f"""
    INSERT INTO {table} (importer_id, {column})
    VALUES ({_of("workshops", "workshop_id")}, :user_ref)
    ON CONFLICT (importer_id, {column}) DO UPDATE SET importer_id = EXCLUDED.importer_id
    RETURNING id
    """
    params = {"workshop_id": workshop_id, "user_ref": user_ref}
    return int((await conn.execute(text(sql), params)).scalar_one())


async def insert_staff_activity(
    conn: AsyncConnection, workshop_id: int, user_ref: str, day: date, actions: int
) -> None:
    values = {
        "staff_user_id": await _user_id(conn, "staff_users", workshop_id, user_ref),
        "workshop_id": workshop_id,
        "day": day,
        "actions": actions,
    }
    importer = _of("workshops", "workshop_id")
    await _insert(conn, "staff_activity", values, importer_of=importer, returning=None)


async def insert_app_activity(
    conn: AsyncConnection, workshop_id: int, app_user_ref: str, day: date
) -> None:
    values = {
        "app_user_id": await _user_id(conn, "app_users", workshop_id, app_user_ref),
        "workshop_id": workshop_id,
        "day": day,
    }
    importer = _of("workshops", "workshop_id")
    await _insert(conn, "app_activity", values, importer_of=importer, returning=None)


async def insert_marketplace(conn: AsyncConnection, importer_id: int) -> int:
    ref = _ref("mp")
    values = {"importer_id": importer_id, "marketplace_ref": ref, "name": ref}
    return int(await _insert(conn, "marketplaces", values))


async def insert_partner(
    conn: AsyncConnection,
    importer_id: int,
    *,
    partner_since: date = date(2020, 1, 1),
    workshop_id: int | None = None,
) -> int:
    ref = _ref("partner")
    values = {
        "importer_id": importer_id,
        "partner_ref": ref,
        "name": ref,
        "workshop_id": workshop_id,
        "partner_since": partner_since,
    }
    return int(await _insert(conn, "sales_partners", values))


async def insert_lead(
    conn: AsyncConnection,
    importer_id: int,
    created_at: datetime,
    *,
    source: str = "DIRECT",
    marketplace_id: int | None = None,
    exclusive: bool = False,
    workshop_id: int | None = None,
) -> int:
    values = {
        "importer_id": importer_id,
        "lead_ref": _ref("lead"),
        "created_at": created_at,
        "source": source,
        "marketplace_id": marketplace_id,
        "exclusive": exclusive,
        "workshop_id": workshop_id,
    }
    return int(await _insert(conn, "leads", values))


async def insert_offer(
    conn: AsyncConnection,
    lead_id: int,
    partner_id: int,
    offered_at: datetime,
    response: str,
    responded_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> int:
    values = {
        "lead_id": lead_id,
        "partner_id": partner_id,
        "offered_at": offered_at,
        "expires_at": expires_at,
        "response": response,
        "responded_at": responded_at,
    }
    return int(await _insert(conn, "lead_offers", values, importer_of=_of("leads", "lead_id")))


async def insert_event(
    conn: AsyncConnection,
    lead_id: int,
    partner_id: int,
    occurred_at: datetime,
    kind: str,
    value: int | None = None,
) -> int:
    values = {
        "lead_id": lead_id,
        "partner_id": partner_id,
        "occurred_at": occurred_at,
        "kind": kind,
        "value": value,
    }
    return int(await _insert(conn, "lead_events", values, importer_of=_of("leads", "lead_id")))
