"""Shared data and helpers for the ingestion tests (no tests here).

BASE is a small world of one importer per file kind, written by hand so every
stored value can be checked exactly.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from server.ingest import IngestReport, ingest_csv_text


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def csv_of(*lines: str) -> str:
    return "\n".join(lines) + "\n"


BASE: dict[str, str] = {
    "importers": csv_of(
        "importer_ref,name,timezone,connection_rate_goal,lead_due_days,lead_rating_enabled,"
        "customer_rating_enabled",
        "IMP1,Nordic Motors,Europe/Copenhagen,0.4,21,true,false",
    ),
    "workshops": csv_of(
        "workshop_ref,importer_ref,name,city,connection_rate_goal",
        "W1,IMP1,Workshop One,Aarhus,0.5",
        "W2,IMP1,Workshop Two,,",
    ),
    "eligibility_rules": csv_of(
        "importer_ref,make,model,year_from,year_to,include",
        "IMP1,VW,Golf,2015,2020,true",
        "IMP1,VW,,,2010,false",
    ),
    "marketplaces": csv_of("marketplace_ref,importer_ref,name", "M1,IMP1,Main market"),
    "sales_partners": csv_of(
        "partner_ref,importer_ref,name,workshop_ref,partner_since",
        "P1,IMP1,Partner One,W1,2024-01-15",
        "P2,IMP1,Partner Two,,2025-03-01",
    ),
    "vehicles": csv_of(
        "vin,importer_ref,make,model,model_year",
        "VIN1,IMP1,VW,Golf,2019",
        "VIN2,IMP1,VW,Polo,2021",
    ),
    "visits": csv_of(
        "visit_ref,workshop_ref,vin,arrived_at,departed_at",
        "V1,W1,VIN1,2026-10-03T08:00:00+02:00,2026-10-03T16:30:00+02:00",
        "V2,W2,VIN2,2026-10-04T09:00:00Z,",
    ),
    "activations": csv_of(
        "vin,workshop_ref,invited_at,activated_at,deactivated_at",
        "VIN1,W1,2026-10-03T16:00:00+02:00,2026-10-05T10:00:00+02:00,",
    ),
    "chats": csv_of(
        "conversation_ref,workshop_ref,started_at,messages,first_response_at",
        "C1,W1,2026-10-03T10:00:00+02:00,4,2026-10-03T10:05:00+02:00",
    ),
    "leads": csv_of(
        "lead_ref,importer_ref,created_at,source,marketplace_ref,exclusive,workshop_ref",
        "L1,IMP1,2026-10-01T09:00:00+02:00,MARKETPLACE,M1,true,W1",
        "L2,IMP1,2026-10-02T09:00:00+02:00,DIRECT,,false,",
    ),
    "lead_offers": csv_of(
        "lead_ref,partner_ref,offered_at,expires_at,response,responded_at",
        "L1,P1,2026-10-01T10:00:00+02:00,2026-10-03T10:00:00+02:00,ACCEPTED,"
        "2026-10-01T12:00:00+02:00",
        "L1,P2,2026-10-01T10:00:00+02:00,,DECLINED,2026-10-01T11:00:00+02:00",
        "L2,P2,2026-10-02T10:00:00+02:00,,PENDING,",
    ),
    "lead_events": csv_of(
        "lead_ref,partner_ref,occurred_at,kind,value",
        "L1,P1,2026-10-02T09:00:00+02:00,FIRST_CONTACT,",
        "L1,P1,2026-10-04T09:00:00+02:00,LEAD_RATING,4",
    ),
    "app_activity": csv_of(
        "app_user_ref,workshop_ref,day",
        "U1,W1,2026-10-03",
        "U2,W1,2026-10-03",
        "U1,W2,2026-10-04",
    ),
    "staff_activity": csv_of("user_ref,workshop_ref,day,actions", "S1,W1,2026-10-03,12"),
    "campaigns": csv_of(
        "campaign_ref,workshop_ref,sent_at,recipients", "K1,W1,2026-10-03T07:00:00Z,250"
    ),
}


def write_files(directory: Path, files: dict[str, str]) -> None:
    for kind, body in files.items():
        (directory / f"{kind}.csv").write_text(body, encoding="utf-8")


async def load(engine, kind: str, body: str, **options) -> IngestReport:
    return await ingest_csv_text(engine, kind, body, **options)


async def seed(engine, *kinds: str) -> None:
    """Load the BASE files of ``kinds`` (in the order given), failing loudly."""
    for kind in kinds:
        report = await load(engine, kind, BASE[kind])
        assert report.errors == [], report.errors


async def rows(engine, sql: str, **params) -> list[tuple]:
    async with engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql), params)).all()]


async def snapshot(engine) -> dict[str, list[tuple]]:
    """Every table ingestion writes, in a stable order (for idempotency checks)."""
    tables = [
        "importers", "workshops", "eligibility_rules", "marketplaces", "sales_partners",
        "vehicles", "visits", "activations", "chats", "leads", "lead_offers", "lead_events",
        "app_users", "app_activity", "staff_users", "staff_activity", "campaigns",
        "dirty_days", "processing_state",
    ]  # fmt: skip
    return {t: await rows(engine, f"SELECT * FROM {t} ORDER BY 1, 2, 3") for t in tables}
