"""Refs are unique within an importer only: an integration resolves them inside
its own importer, and without one an ambiguous ref must be disambiguated."""

from __future__ import annotations

from server.ingest import RowError, ingest_rows
from tests.test_ingest_helpers import csv_of, load, rows, seed

OUTSIDE = "refs outside the integration's importer are unknown refs"
VISIT = "visit_ref,workshop_ref,vin,arrived_at"


async def two_importers_with_workshop_w1(engine):
    """IMP1 (from BASE) and IMP2 both have a workshop W1 and a partner P1."""
    await seed(
        engine, "importers", "workshops", "marketplaces", "sales_partners", "vehicles", "leads"
    )
    for kind, body in (
        ("importers", csv_of("importer_ref,name", "IMP2,Second")),
        ("workshops", csv_of("workshop_ref,importer_ref,name", "W1,IMP2,Other one")),
        ("vehicles", csv_of("vin,importer_ref,make,model,model_year", "VIN7,IMP2,VW,Up,2020")),
        (
            "sales_partners",
            csv_of("partner_ref,importer_ref,name,partner_since", "P1,IMP2,Other,2025-01-01"),
        ),
    ):
        assert (await load(engine, kind, body)).errors == []


async def test_a_ref_in_several_importers_asks_for_the_importer(engine):
    await two_importers_with_workshop_w1(engine)
    report = await load(engine, "visits", csv_of(VISIT, "V1,W1,VIN7,2026-10-03T08:00:00+02:00"))
    assert report.errors == [
        RowError(
            2,
            "workshop_ref",
            "workshop_ref 'W1' exists in several importers (IMP1, IMP2): "
            "pass --importer to say which one this file is for",
        )
    ]
    report = await load(
        engine,
        "lead_offers",
        csv_of(
            "lead_ref,partner_ref,offered_at,response", "L1,P1,2026-10-01T10:00:00+02:00,PENDING"
        ),
    )
    assert [(e.line, e.column) for e in report.errors] == [(2, "partner_ref")]


async def test_an_importer_resolves_the_ambiguous_ref(engine):
    await two_importers_with_workshop_w1(engine)
    report = await load(
        engine,
        "visits",
        csv_of(VISIT, "V1,W1,VIN7,2026-10-03T08:00:00+02:00"),
        importer_ref="IMP2",
    )
    assert (report.accepted, report.errors) == (1, [])
    assert await rows(
        engine,
        "SELECT i.importer_ref, w.name FROM visits v JOIN workshops w ON w.id = v.workshop_id"
        " JOIN importers i ON i.id = v.importer_id",
    ) == [("IMP2", "Other one")]


async def test_refs_outside_the_integrations_importer_are_unknown(engine):
    await two_importers_with_workshop_w1(engine)
    report = await load(
        engine,
        "workshops",
        csv_of("workshop_ref,importer_ref,name", "W5,IMP1,Five", "W6,IMP2,Six"),
        importer_ref="IMP2",
    )
    assert report.errors == [RowError(2, "importer_ref", f"unknown importer_ref 'IMP1': {OUTSIDE}")]
    report = await load(
        engine, "importers", csv_of("importer_ref,name", "IMP1,Hijacked"), importer_ref="IMP2"
    )
    assert report.errors == [RowError(2, "importer_ref", f"unknown importer_ref 'IMP1': {OUTSIDE}")]
    # VIN1 is IMP1's: from IMP2's side it simply does not exist.
    report = await load(
        engine, "visits", csv_of(VISIT, "V1,W1,VIN1,2026-10-03T08:00:00+02:00"), importer_ref="IMP2"
    )
    assert report.errors == [RowError(2, "vin", "unknown vin 'VIN1': load it in vehicles first")]
    # L1 exists in IMP1 only; P1 resolves to IMP2's partner, where there is no L1.
    report = await load(
        engine,
        "lead_offers",
        csv_of(
            "lead_ref,partner_ref,offered_at,response", "L1,P1,2026-10-01T10:00:00+02:00,PENDING"
        ),
        importer_ref="IMP2",
    )
    assert report.errors == [
        RowError(2, "lead_ref", "unknown lead_ref 'L1': load it in leads first")
    ]
    report = await load(
        engine,
        "chats",
        csv_of("conversation_ref,workshop_ref,started_at,messages", "C1,W2,2026-10-03T10:00:00Z,1"),
        importer_ref="IMP2",
    )
    assert report.errors == [
        RowError(2, "workshop_ref", "unknown workshop_ref 'W2' in importer 'IMP2'")
    ]
    assert await rows(engine, "SELECT name FROM importers ORDER BY 1") == [
        ("Nordic Motors",),
        ("Second",),
    ]


async def test_an_integration_can_update_its_own_importer(engine):
    await seed(engine, "importers")
    report = await ingest_rows(
        engine,
        "importers",
        [{"importer_ref": "IMP1", "name": "Renamed", "lead_due_days": "14"}],
        importer_ref="IMP1",
    )
    assert (report.accepted, report.errors) == (1, [])
    assert await rows(engine, "SELECT name, lead_due_days, timezone FROM importers") == [
        ("Renamed", 14, "Europe/Copenhagen")
    ]


async def test_rows_with_a_nul_character_are_refused(engine):
    await seed(engine, "importers")
    report = await ingest_rows(
        engine,
        "marketplaces",
        [{"marketplace_ref": "M1", "importer_ref": "IMP1", "name": "a\x00"}],
        importer_ref="IMP1",
    )
    assert report.errors == [RowError(0, "name", "name holds a NUL character (\\0): remove it")]
    assert await rows(engine, "SELECT count(*) FROM marketplaces") == [(0,)]
