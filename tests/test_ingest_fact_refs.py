"""Fact tables carry no foreign keys (their per-row checks were half the time of
writing new visits); ingestion is what keeps every fact's refs valid.

The guarantees that remain, checked here: each fact column names its target
(``refers_to``), every fact kind refuses a row with an unknown ref and writes
nothing, and after loading every kind no fact points at a missing row.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import SQLModel

import server.models  # noqa: F401  (registers every table)
from server.models._columns import REFERS_TO
from tests.test_ingest_helpers import BASE, csv_of, load, rows, seed

FACT_TABLES = {
    "visits",
    "activations",
    "chats",
    "campaigns",
    "app_activity",
    "staff_activity",
    "leads",
    "lead_offers",
    "lead_events",
}

# One row per fact kind whose ref is unknown; the rest of the row is valid.
UNKNOWN_REF = {
    "visits": ("visit_ref,workshop_ref,vin,arrived_at", "V9,W1,VIN9,2026-10-03T08:00:00+02:00"),
    "activations": ("vin,workshop_ref,invited_at", "VIN1,W9,2026-10-03T16:00:00+02:00"),
    "chats": (
        "conversation_ref,workshop_ref,started_at,messages",
        "C9,W9,2026-10-03T10:00:00+02:00,4",
    ),
    "campaigns": ("campaign_ref,workshop_ref,sent_at,recipients", "K9,W9,2026-10-03T07:00:00Z,5"),
    "app_activity": ("app_user_ref,workshop_ref,day", "U9,W9,2026-10-03"),
    "staff_activity": ("user_ref,workshop_ref,day,actions", "S9,W9,2026-10-03,1"),
    "leads": (
        "lead_ref,importer_ref,created_at,source,marketplace_ref,exclusive",
        "L9,IMP1,2026-10-01T09:00:00+02:00,MARKETPLACE,M9,false",
    ),
    "lead_offers": (
        "lead_ref,partner_ref,offered_at,response",
        "L9,P1,2026-10-01T10:00:00+02:00,PENDING",
    ),
    "lead_events": (
        "lead_ref,partner_ref,occurred_at,kind",
        "L1,P9,2026-10-02T09:00:00+02:00,FIRST_CONTACT",
    ),
}


def _fact_refs() -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, target table)] from the models' ``refers_to``."""
    refs: dict[str, list[tuple[str, str]]] = {}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            target = column.info.get(REFERS_TO)
            if target:
                refs.setdefault(table.name, []).append((column.name, target.split(".")[0]))
    return refs


async def test_fact_tables_name_their_refs_instead_of_foreign_keys(engine):
    refs = _fact_refs()
    assert set(refs) == FACT_TABLES
    keys = await rows(
        engine,
        """SELECT conrelid::regclass::text FROM pg_constraint
           WHERE contype = 'f' AND conrelid::regclass::text = ANY(:tables)""",
        tables=sorted(FACT_TABLES),
    )
    assert keys == []
    # Reference tables keep theirs: they are small and written rarely.
    kept = await rows(
        engine,
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
        " AND conrelid = 'workshops'::regclass",
    )
    assert kept == [(1,)]


async def test_every_fact_kind_refuses_an_unknown_ref_and_no_fact_dangles(engine):
    await seed(engine, *BASE)
    assert set(UNKNOWN_REF) == FACT_TABLES
    before = {t: await rows(engine, f"SELECT count(*) FROM {t}") for t in FACT_TABLES}
    for kind, (header, row) in UNKNOWN_REF.items():
        report = await load(engine, kind, csv_of(header, row))
        assert report.accepted == 0, kind
        assert [e.line for e in report.errors] == [2], (kind, report.errors)
        assert await rows(engine, f"SELECT count(*) FROM {kind}") == before[kind], kind
    async with engine.connect() as conn:
        for table, refs in _fact_refs().items():
            for column, target in refs:
                dangling = await conn.execute(
                    text(
                        f"SELECT count(*) FROM {table} f WHERE f.{column} IS NOT NULL"
                        f" AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = f.{column})"
                    )
                )
                assert dangling.scalar_one() == 0, (table, column)
        assert (await conn.execute(text("SELECT count(*) FROM visits"))).scalar_one() == 2
