"""Ingestion marks every day a change touches, from the old and the new version
of each changed row, as calendar days in the importer's timezone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.test_ingest_helpers import csv_of, load, rows, seed

VISIT = "visit_ref,workshop_ref,vin,arrived_at,departed_at"
OFFER = "lead_ref,partner_ref,offered_at,response,responded_at"


async def forget_dirty_days(engine):
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM dirty_days"))
        await conn.execute(text("UPDATE processing_state SET rebuild_all = false"))


async def dirty(engine, domain="workshop"):
    found = await rows(engine, "SELECT day FROM dirty_days WHERE domain = :d ORDER BY 1", d=domain)
    return [day for (day,) in found]


async def rebuild_all(engine):
    return await rows(
        engine,
        "SELECT i.importer_ref, p.rebuild_all FROM processing_state p"
        " JOIN importers i ON i.id = p.importer_id ORDER BY 1",
    )


async def ok(engine, kind, body, **options):
    report = await load(engine, kind, body, **options)
    assert report.errors == [], report.errors
    return report


async def test_a_moved_departure_marks_the_old_and_the_new_day(engine):
    await seed(engine, "importers", "workshops", "vehicles", "visits")
    await forget_dirty_days(engine)
    await ok(
        engine,
        "visits",
        csv_of(VISIT, "V1,W1,VIN1,2026-10-03T08:00:00+02:00,2026-10-07T09:00:00+02:00"),
    )
    assert await dirty(engine) == [date(2026, 10, 3), date(2026, 10, 7)]
    assert await dirty(engine, "partner") == []


async def test_activation_and_vehicle_changes_mark_every_departure_of_the_vehicle(engine):
    await seed(engine, "importers", "workshops", "vehicles", "visits")
    await ok(
        engine,
        "visits",
        csv_of(VISIT, "V3,W2,VIN1,2026-10-19T08:00:00+02:00,2026-10-20T17:00:00+02:00"),
    )
    await forget_dirty_days(engine)
    await ok(
        engine,
        "activations",
        csv_of(
            "vin,workshop_ref,invited_at,activated_at",
            "VIN1,W1,2026-10-03T16:00:00+02:00,2026-10-05T10:00:00+02:00",
        ),
    )
    assert await dirty(engine) == [date(2026, 10, 3), date(2026, 10, 5), date(2026, 10, 20)]

    await forget_dirty_days(engine)
    await ok(
        engine,
        "vehicles",
        csv_of("vin,importer_ref,make,model,model_year", "VIN1,IMP1,VW,Golf,2018"),
    )
    assert await dirty(engine) == [date(2026, 10, 3), date(2026, 10, 20)]


async def test_a_changed_rule_set_rebuilds_every_day_of_the_importer(engine):
    await seed(engine, "importers", "eligibility_rules")
    assert await rebuild_all(engine) == [("IMP1", True)]
    await forget_dirty_days(engine)
    rules = "importer_ref,make,model,year_from,year_to,include"
    # The same set in another order is the same set.
    await ok(
        engine,
        "eligibility_rules",
        csv_of(rules, "IMP1,VW,,,2010,false", "IMP1,VW,Golf,2015,2020,true"),
    )
    assert await rebuild_all(engine) == [("IMP1", False)]
    await ok(engine, "eligibility_rules", csv_of(rules, "IMP1,VW,Golf,2015,2021,true"))
    assert await rebuild_all(engine) == [("IMP1", True)]
    assert await dirty(engine) == []


async def test_a_new_timezone_rebuilds_every_day_of_the_importer(engine):
    await seed(engine, "importers")
    await ok(engine, "importers", csv_of("importer_ref,name", "IMP1,Renamed"))
    assert await rebuild_all(engine) == []
    await ok(
        engine, "importers", csv_of("importer_ref,name,timezone", "IMP1,Renamed,Europe/Lisbon")
    )
    assert await rebuild_all(engine) == [("IMP1", True)]


async def test_days_are_calendar_days_in_the_importers_timezone(engine):
    await ok(
        engine,
        "importers",
        csv_of(
            "importer_ref,name,timezone", "CPH,Copenhagen,Europe/Copenhagen", "UTC,Greenwich,UTC"
        ),
    )
    await ok(engine, "workshops", csv_of("workshop_ref,importer_ref,name", "WC,CPH,C", "WU,UTC,U"))
    await ok(
        engine,
        "vehicles",
        csv_of("vin,importer_ref,make,model,model_year", "VC,CPH,VW,Up,2020", "VU,UTC,VW,Up,2020"),
    )
    # 23:30Z is 00:30 the next day in Copenhagen (+01:00 in January).
    await ok(
        engine,
        "visits",
        csv_of(
            VISIT,
            "X1,WC,VC,2026-01-15T08:00:00Z,2026-01-15T23:30:00Z",
            "X2,WU,VU,2026-01-15T08:00:00Z,2026-01-15T23:30:00Z",
        ),
    )
    assert await rows(
        engine,
        "SELECT i.importer_ref, d.day FROM dirty_days d JOIN importers i ON i.id = d.importer_id"
        " ORDER BY 1",
    ) == [("CPH", date(2026, 1, 16)), ("UTC", date(2026, 1, 15))]


async def offers_of_l1(engine):
    await seed(engine, "importers", "workshops", "marketplaces", "sales_partners", "leads")
    await ok(
        engine,
        "lead_offers",
        csv_of(
            OFFER,
            "L1,P1,2026-10-01T10:00:00+02:00,ACCEPTED,2026-10-02T10:00:00+02:00",
            "L1,P2,2026-10-03T10:00:00+02:00,PENDING,",
            "L2,P2,2026-10-09T10:00:00+02:00,PENDING,",
        ),
    )
    await forget_dirty_days(engine)


async def test_an_offer_marks_the_days_of_every_offer_of_its_lead(engine):
    await offers_of_l1(engine)
    await ok(
        engine,
        "lead_offers",
        csv_of(OFFER, "L1,P2,2026-10-03T10:00:00+02:00,DECLINED,2026-10-06T10:00:00+02:00"),
    )
    assert await dirty(engine, "partner") == [
        date(2026, 10, 1),
        date(2026, 10, 2),
        date(2026, 10, 3),
        date(2026, 10, 6),
    ]
    assert await dirty(engine) == []


async def test_an_event_marks_the_offer_days_of_its_lead(engine):
    await offers_of_l1(engine)
    await ok(
        engine,
        "lead_events",
        csv_of("lead_ref,partner_ref,occurred_at,kind", "L1,P1,2026-10-12T09:00:00+02:00,WON"),
    )
    assert await dirty(engine, "partner") == [
        date(2026, 10, 1),
        date(2026, 10, 2),
        date(2026, 10, 3),
    ]


async def test_a_changed_lead_marks_its_created_days_and_its_offer_days(engine):
    await offers_of_l1(engine)
    await ok(
        engine,
        "leads",
        csv_of(
            "lead_ref,importer_ref,created_at,source,marketplace_ref,exclusive,workshop_ref",
            "L2,IMP1,2026-10-08T09:00:00+02:00,DIRECT,,false,",
        ),
    )
    assert await dirty(engine) == [date(2026, 10, 2), date(2026, 10, 8)]
    assert await dirty(engine, "partner") == [date(2026, 10, 9)]


async def test_workshop_facts_mark_their_own_day(engine):
    await seed(engine, "importers", "workshops")
    await ok(
        engine,
        "chats",
        csv_of("conversation_ref,workshop_ref,started_at,messages", "C1,W1,2026-10-10T23:30:00Z,3"),
    )
    await ok(
        engine,
        "campaigns",
        csv_of("campaign_ref,workshop_ref,sent_at,recipients", "K1,W1,2026-10-12T10:00:00Z,9"),
    )
    await ok(engine, "app_activity", csv_of("app_user_ref,workshop_ref,day", "U1,W2,2026-10-13"))
    await ok(
        engine, "staff_activity", csv_of("user_ref,workshop_ref,day,actions", "S1,W2,2026-10-14,2")
    )
    assert await dirty(engine) == [
        date(2026, 10, 11),
        date(2026, 10, 12),
        date(2026, 10, 13),
        date(2026, 10, 14),
    ]
    await forget_dirty_days(engine)
    await ok(
        engine, "staff_activity", csv_of("user_ref,workshop_ref,day,actions", "S1,W2,2026-10-14,5")
    )
    assert await dirty(engine) == [date(2026, 10, 14)]
