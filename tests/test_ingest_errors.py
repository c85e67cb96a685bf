"""Every bad row is reported with its line (header = 1), its column and a reason
that says what to fix (DOMAIN.md, "Bad input")."""

from __future__ import annotations

import pytest

from server.errors import BadUserInput
from server.ingest import KINDS, RowError, UnknownKind, ingest_csv_text, ingest_rows
from tests.test_ingest_helpers import csv_of, load, rows, seed

OFFSET = "timestamp without offset: add one, e.g. 2026-10-03T14:05:00+02:00"


async def test_cells_that_do_not_parse(engine):
    report = await load(
        engine,
        "importers",
        csv_of(
            "importer_ref,name,timezone,connection_rate_goal,lead_due_days,lead_rating_enabled",
            "A,,Europe/Copenhagen,,,",
            "B,Bee,Mars/Olympus,,,",
            "C,Cee,,abc,,",
            "D,Dee,,1.5,,",
            "E,Eee,,,-3,",
            "F,Eff,,,2x,yes",
        ),
    )
    assert report.accepted == 0
    assert report.errors == [
        RowError(2, "name", "missing required value: name is empty"),
        RowError(
            3,
            "timezone",
            "unknown timezone 'Mars/Olympus': use an IANA name, e.g. Europe/Copenhagen",
        ),
        RowError(4, "connection_rate_goal", "bad number 'abc': use e.g. 0.35"),
        RowError(5, "connection_rate_goal", "rate 1.5 is outside 0..1: write 35 % as 0.35"),
        RowError(6, "lead_due_days", "negative count -3: use 0 or more"),
        RowError(7, "lead_due_days", "bad integer '2x': use digits, e.g. 42"),
        RowError(7, "lead_rating_enabled", "bad boolean 'yes': use true or false"),
    ]
    assert await rows(engine, "SELECT count(*) FROM importers") == [(0,)]


async def test_dates_timestamps_and_the_order_of_a_visit(engine):
    await seed(engine, "importers", "workshops", "vehicles")
    report = await load(
        engine,
        "visits",
        csv_of(
            "visit_ref,workshop_ref,vin,arrived_at,departed_at",
            "V1,W1,VIN1,2026-10-03T14:05:00,",
            "V2,W1,VIN1,03/10/2026 14:05,",
            "V3,W1,VIN1,2026-10-03T14:05:00+02:00,2026-10-03T13:05:00+02:00",
            "V4,W1,VIN1,2026-10-03T14:05:00+02:00,2026-10-03T12:05:00Z",
        ),
    )
    assert report.errors == [
        RowError(2, "arrived_at", OFFSET),
        RowError(
            3,
            "arrived_at",
            "bad timestamp '03/10/2026 14:05': use ISO 8601 with an offset, "
            "e.g. 2026-10-03T14:05:00+02:00",
        ),
        RowError(4, "departed_at", "departed_at is before arrived_at: check both"),
    ]
    # V4 leaves at 14:05+02:00, exactly when it came: fine, but nothing was written.
    assert (report.accepted, await rows(engine, "SELECT count(*) FROM visits")) == (0, [(0,)])

    report = await load(
        engine,
        "sales_partners",
        csv_of(
            "partner_ref,importer_ref,name,partner_since",
            "P1,IMP1,One,2026-13-01",
            "P2,IMP1,Two,20260101",
        ),
    )
    assert report.errors == [
        RowError(2, "partner_since", "bad date '2026-13-01': use YYYY-MM-DD, e.g. 2026-10-03"),
        RowError(3, "partner_since", "bad date '20260101': use YYYY-MM-DD, e.g. 2026-10-03"),
    ]


async def test_lead_rules(engine):
    await seed(engine, "importers", "workshops", "marketplaces", "sales_partners", "leads")
    report = await load(
        engine,
        "leads",
        csv_of(
            "lead_ref,importer_ref,created_at,source,marketplace_ref,exclusive",
            "L8,IMP1,2026-10-01T09:00:00+02:00,MARKETPLACE,,false",
            "L9,IMP1,2026-10-01T09:00:00+02:00,PHONE,,false",
        ),
    )
    assert report.errors == [
        RowError(2, "marketplace_ref", "a MARKETPLACE lead needs its marketplace_ref"),
        RowError(3, "source", "unknown value 'PHONE': use one of MARKETPLACE, DIRECT"),
    ]
    report = await load(
        engine,
        "lead_offers",
        csv_of(
            "lead_ref,partner_ref,offered_at,response,responded_at",
            "L1,P1,2026-10-01T10:00:00+02:00,ACCEPTED,",
            "L1,P2,2026-10-01T10:00:00+02:00,DECLINED,",
            "L2,P1,2026-10-01T10:00:00+02:00,MAYBE,",
            "L2,P2,2026-10-01T10:00:00+02:00,EXPIRED,",
        ),
    )
    assert report.errors == [
        RowError(2, "responded_at", "response ACCEPTED needs responded_at"),
        RowError(3, "responded_at", "response DECLINED needs responded_at"),
        RowError(
            4, "response", "unknown value 'MAYBE': use one of PENDING, ACCEPTED, DECLINED, EXPIRED"
        ),
    ]
    report = await load(
        engine,
        "lead_events",
        csv_of(
            "lead_ref,partner_ref,occurred_at,kind,value",
            "L1,P1,2026-10-02T09:00:00+02:00,LEAD_RATING,7",
            "L1,P1,2026-10-02T09:00:00+02:00,CUSTOMER_RATING,",
            "L1,P1,2026-10-02T09:00:00+02:00,CUSTOMER_RATING,0",
            "L1,P1,2026-10-02T09:00:00+02:00,LEAD_RATING,5",
        ),
    )
    assert report.errors == [
        RowError(2, "value", "rating 7 is outside 1..5"),
        RowError(
            3, "value", "missing required value: a CUSTOMER_RATING needs a rating 1..5 in value"
        ),
        RowError(4, "value", "rating 0 is outside 1..5"),
    ]


async def test_negative_counts(engine):
    await seed(engine, "importers", "workshops")
    report = await load(
        engine,
        "chats",
        csv_of(
            "conversation_ref,workshop_ref,started_at,messages",
            "C1,W1,2026-10-03T10:00:00+02:00,-1",
        ),
    )
    assert report.errors == [RowError(2, "messages", "negative count -1: use 0 or more")]
    report = await load(
        engine, "staff_activity", csv_of("user_ref,workshop_ref,day,actions", "S1,W1,2026-10-03,-2")
    )
    assert report.errors == [RowError(2, "actions", "negative count -2: use 0 or more")]
    report = await load(
        engine,
        "campaigns",
        csv_of("campaign_ref,workshop_ref,sent_at,recipients", "K1,W1,2026-10-03T07:00:00Z,-5"),
    )
    assert report.errors == [RowError(2, "recipients", "negative count -5: use 0 or more")]


async def test_unknown_refs_of_every_kind(engine):
    await seed(
        engine, "importers", "workshops", "marketplaces", "sales_partners", "vehicles", "leads"
    )
    report = await load(
        engine,
        "workshops",
        csv_of("workshop_ref,importer_ref,name", "W7,NOPE,Seven"),
    )
    assert report.errors == [
        RowError(2, "importer_ref", "unknown importer_ref 'NOPE': load it in importers first")
    ]
    report = await load(
        engine,
        "leads",
        csv_of(
            "lead_ref,importer_ref,created_at,source,marketplace_ref,exclusive,workshop_ref",
            "L7,IMP1,2026-10-01T09:00:00+02:00,MARKETPLACE,M9,true,W9",
        ),
    )
    assert report.errors == [
        RowError(2, "marketplace_ref", "unknown marketplace_ref 'M9' in importer 'IMP1'"),
        RowError(2, "workshop_ref", "unknown workshop_ref 'W9' in importer 'IMP1'"),
    ]
    report = await load(
        engine,
        "activations",
        csv_of(
            "vin,workshop_ref,invited_at",
            "VIN1,W9,2026-10-03T16:00:00+02:00",
            "VIN9,W1,2026-10-03T16:00:00+02:00",
        ),
    )
    assert report.errors == [
        RowError(2, "workshop_ref", "unknown workshop_ref 'W9'"),
        RowError(3, "vin", "unknown vin 'VIN9': load it in vehicles first"),
    ]
    report = await load(
        engine,
        "lead_offers",
        csv_of(
            "lead_ref,partner_ref,offered_at,response",
            "L1,P9,2026-10-01T10:00:00+02:00,PENDING",
            "L9,P1,2026-10-01T10:00:00+02:00,PENDING",
        ),
    )
    assert report.errors == [
        RowError(2, "partner_ref", "unknown partner_ref 'P9'"),
        RowError(3, "lead_ref", "unknown lead_ref 'L9': load it in leads first"),
    ]


async def test_a_vin_is_a_vehicle_per_importer(engine):
    await seed(engine, "importers", "workshops", "vehicles")
    await seed_second_importer(engine)
    visit = csv_of("visit_ref,workshop_ref,vin,arrived_at", "V1,WB,VIN1,2026-10-03T08:00:00+02:00")
    report = await load(engine, "visits", visit)
    assert report.errors == [RowError(2, "vin", "unknown vin 'VIN1': load it in vehicles first")]
    report = await load(
        engine,
        "vehicles",
        csv_of("vin,importer_ref,make,model,model_year", "VIN1,IMP2,VW,Golf,2019"),
    )
    assert (report.accepted, report.errors) == (1, [])
    assert (await load(engine, "visits", visit)).errors == []
    assert await rows(
        engine,
        "SELECT i.importer_ref FROM vehicles v JOIN importers i ON i.id = v.importer_id "
        "WHERE v.vin = 'VIN1' ORDER BY 1",
    ) == [("IMP1",), ("IMP2",)]


async def seed_second_importer(engine):
    for kind, body in (
        ("importers", csv_of("importer_ref,name", "IMP2,Second")),
        ("workshops", csv_of("workshop_ref,importer_ref,name", "WB,IMP2,Bee")),
    ):
        assert (await load(engine, kind, body)).errors == []


async def test_duplicate_keys_name_the_first_line(engine):
    await seed(engine, "importers", "workshops", "vehicles")
    report = await load(
        engine,
        "visits",
        csv_of(
            "visit_ref,workshop_ref,vin,arrived_at",
            "V1,W1,VIN1,2026-10-03T08:00:00+02:00",
            "V2,W1,VIN1,2026-10-03T08:00:00+02:00",
            "V1,W2,VIN2,2026-10-04T08:00:00+02:00",
        ),
    )
    assert report.errors == [
        RowError(
            4,
            "visit_ref",
            "duplicate key (visit_ref) in this file: line 2 has the same; send each once",
        )
    ]
    # The same instant written with another offset is the same key.
    report = await load(
        engine,
        "activations",
        csv_of(
            "vin,workshop_ref,invited_at",
            "VIN1,W1,2026-10-03T16:00:00+02:00",
            "VIN1,W1,2026-10-03T14:00:00Z",
        ),
    )
    assert report.errors == [
        RowError(
            3,
            "vin",
            "duplicate key (vin, invited_at) in this file: line 2 has the same; send each once",
        )
    ]


async def test_header_problems_are_reported_on_line_one(engine):
    report = await load(engine, "workshops", csv_of("workshop_ref,name,city", "W1,One,Aarhus"))
    assert report.errors == [
        RowError(1, "importer_ref", "missing required column importer_ref: add it to the header")
    ]
    report = await load(engine, "workshops", "")
    assert report.errors == [
        RowError(1, None, "the file is empty: a header row naming the columns is required")
    ]


async def test_a_row_with_the_wrong_number_of_cells(engine):
    await seed(engine, "importers")
    report = await load(
        engine,
        "marketplaces",
        csv_of("marketplace_ref,importer_ref,name", "M1,IMP1,Main, market", "M2,IMP1"),
    )
    assert report.errors == [
        RowError(
            2,
            None,
            "4 cells where the header has 3: check for a missing or extra comma "
            "(quote cells that contain commas)",
        ),
        RowError(
            3,
            None,
            "2 cells where the header has 3: check for a missing or extra comma "
            "(quote cells that contain commas)",
        ),
    ]


async def test_lines_count_physical_lines_of_the_file(engine):
    await seed(engine, "importers")
    body = 'marketplace_ref,importer_ref,name\n\nM1,IMP1,"two\nlines"\nM2,IMP1,\n'
    report = await load(engine, "marketplaces", body)
    assert report.errors == [RowError(5, "name", "missing required value: name is empty")]


async def test_rows_sent_as_mappings_are_numbered_from_zero(engine):
    await seed(engine, "importers")
    report = await ingest_rows(
        engine,
        "marketplaces",
        [
            {"marketplace_ref": "M1", "importer_ref": "IMP1", "name": "One"},
            {"marketplace_ref": "M2", "importer_ref": "IMP1", "name": None},
            {"marketplace_ref": "M3", "importer_ref": "IMP1"},
        ],
        importer_ref="IMP1",
    )
    assert report.errors == [
        RowError(1, "name", "missing required value: name is empty"),
        RowError(2, "name", "missing required value: name is empty"),
    ]
    assert report.accepted == 0


async def test_an_unknown_kind_lists_the_valid_ones(engine):
    with pytest.raises(UnknownKind) as caught:
        await ingest_csv_text(engine, "visitors", "a\n1\n")
    assert isinstance(caught.value, BadUserInput)
    assert caught.value.message == "unknown kind 'visitors': use one of " + ", ".join(KINDS)
