"""Every kind loads, and stores exactly what the file says (DOMAIN.md, "Files")."""

from __future__ import annotations

from datetime import date

from server.ingest import KINDS, ingest_directory
from tests.test_ingest_helpers import BASE, csv_of, load, rows, seed, ts, write_files


async def test_a_directory_loads_every_kind_in_dependency_order(engine, tmp_path):
    write_files(tmp_path, BASE)
    reports = await ingest_directory(engine, tmp_path)
    assert [(r.kind, r.accepted, r.errors) for r in reports] == [
        ("importers", 1, []),
        ("workshops", 2, []),
        ("eligibility_rules", 2, []),
        ("marketplaces", 1, []),
        ("sales_partners", 2, []),
        ("vehicles", 2, []),
        ("visits", 2, []),
        ("activations", 1, []),
        ("chats", 1, []),
        ("leads", 2, []),
        ("lead_offers", 3, []),
        ("lead_events", 2, []),
        ("app_activity", 3, []),
        ("staff_activity", 1, []),
        ("campaigns", 1, []),
    ]
    assert [r.kind for r in reports] == list(KINDS)

    assert await rows(
        engine,
        "SELECT importer_ref, name, timezone, connection_rate_goal, lead_due_days,"
        " lead_rating_enabled, customer_rating_enabled FROM importers",
    ) == [("IMP1", "Nordic Motors", "Europe/Copenhagen", 0.4, 21, True, False)]
    assert await rows(
        engine,
        "SELECT w.workshop_ref, i.importer_ref, w.name, w.city, w.connection_rate_goal"
        " FROM workshops w JOIN importers i ON i.id = w.importer_id ORDER BY 1",
    ) == [("W1", "IMP1", "Workshop One", "Aarhus", 0.5), ("W2", "IMP1", "Workshop Two", None, None)]
    assert await rows(
        engine,
        "SELECT make, model, year_from, year_to, include FROM eligibility_rules ORDER BY id",
    ) == [("VW", "Golf", 2015, 2020, True), ("VW", None, None, 2010, False)]
    assert await rows(engine, "SELECT marketplace_ref, name FROM marketplaces") == [
        ("M1", "Main market")
    ]
    assert await rows(
        engine,
        "SELECT p.partner_ref, p.name, w.workshop_ref, p.partner_since FROM sales_partners p"
        " LEFT JOIN workshops w ON w.id = p.workshop_id ORDER BY 1",
    ) == [
        ("P1", "Partner One", "W1", date(2024, 1, 15)),
        ("P2", "Partner Two", None, date(2025, 3, 1)),
    ]
    assert await rows(engine, "SELECT vin, make, model, model_year FROM vehicles ORDER BY 1") == [
        ("VIN1", "VW", "Golf", 2019),
        ("VIN2", "VW", "Polo", 2021),
    ]
    assert await rows(
        engine,
        "SELECT x.visit_ref, w.workshop_ref, v.vin, x.arrived_at, x.departed_at FROM visits x"
        " JOIN workshops w ON w.id = x.workshop_id JOIN vehicles v ON v.id = x.vehicle_id"
        " ORDER BY 1",
    ) == [
        ("V1", "W1", "VIN1", ts("2026-10-03T06:00:00+00:00"), ts("2026-10-03T14:30:00+00:00")),
        ("V2", "W2", "VIN2", ts("2026-10-04T09:00:00+00:00"), None),
    ]
    assert await rows(
        engine,
        "SELECT v.vin, w.workshop_ref, a.invited_at, a.activated_at, a.deactivated_at"
        " FROM activations a JOIN vehicles v ON v.id = a.vehicle_id"
        " JOIN workshops w ON w.id = a.workshop_id",
    ) == [("VIN1", "W1", ts("2026-10-03T14:00:00Z"), ts("2026-10-05T08:00:00Z"), None)]
    assert await rows(
        engine,
        "SELECT c.conversation_ref, w.workshop_ref, c.started_at, c.messages,"
        " c.first_response_at FROM chats c JOIN workshops w ON w.id = c.workshop_id",
    ) == [("C1", "W1", ts("2026-10-03T08:00:00Z"), 4, ts("2026-10-03T08:05:00Z"))]
    assert await rows(
        engine,
        "SELECT l.lead_ref, l.created_at, l.source, m.marketplace_ref, l.exclusive,"
        " w.workshop_ref FROM leads l LEFT JOIN marketplaces m ON m.id = l.marketplace_id"
        " LEFT JOIN workshops w ON w.id = l.workshop_id ORDER BY 1",
    ) == [
        ("L1", ts("2026-10-01T07:00:00Z"), "MARKETPLACE", "M1", True, "W1"),
        ("L2", ts("2026-10-02T07:00:00Z"), "DIRECT", None, False, None),
    ]
    assert await rows(
        engine,
        "SELECT l.lead_ref, p.partner_ref, o.offered_at, o.expires_at, o.response,"
        " o.responded_at FROM lead_offers o JOIN leads l ON l.id = o.lead_id"
        " JOIN sales_partners p ON p.id = o.partner_id ORDER BY 1, 2",
    ) == [
        (
            "L1",
            "P1",
            ts("2026-10-01T08:00:00Z"),
            ts("2026-10-03T08:00:00Z"),
            "ACCEPTED",
            ts("2026-10-01T10:00:00Z"),
        ),
        ("L1", "P2", ts("2026-10-01T08:00:00Z"), None, "DECLINED", ts("2026-10-01T09:00:00Z")),
        ("L2", "P2", ts("2026-10-02T08:00:00Z"), None, "PENDING", None),
    ]
    assert await rows(
        engine,
        "SELECT l.lead_ref, p.partner_ref, e.occurred_at, e.kind, e.value FROM lead_events e"
        " JOIN leads l ON l.id = e.lead_id JOIN sales_partners p ON p.id = e.partner_id"
        " ORDER BY 3",
    ) == [
        ("L1", "P1", ts("2026-10-02T07:00:00Z"), "FIRST_CONTACT", None),
        ("L1", "P1", ts("2026-10-04T07:00:00Z"), "LEAD_RATING", 4),
    ]
    assert await rows(
        engine,
        "SELECT u.app_user_ref, w.workshop_ref, a.day FROM app_activity a"
        " JOIN app_users u ON u.id = a.app_user_id JOIN workshops w ON w.id = a.workshop_id"
        " ORDER BY 1, 2",
    ) == [
        ("U1", "W1", date(2026, 10, 3)),
        ("U1", "W2", date(2026, 10, 4)),
        ("U2", "W1", date(2026, 10, 3)),
    ]
    assert await rows(engine, "SELECT count(*) FROM app_users") == [(2,)]
    assert await rows(
        engine,
        "SELECT u.user_ref, w.workshop_ref, s.day, s.actions FROM staff_activity s"
        " JOIN staff_users u ON u.id = s.staff_user_id JOIN workshops w ON w.id = s.workshop_id",
    ) == [("S1", "W1", date(2026, 10, 3), 12)]
    assert await rows(
        engine,
        "SELECT c.campaign_ref, w.workshop_ref, c.sent_at, c.recipients FROM campaigns c"
        " JOIN workshops w ON w.id = c.workshop_id",
    ) == [("K1", "W1", ts("2026-10-03T07:00:00Z"), 250)]


async def test_optional_columns_not_sent_take_the_model_defaults(engine):
    report = await load(engine, "importers", csv_of("name,importer_ref", "Lisbon Cars,IMP2"))
    assert (report.accepted, report.errors) == (1, [])
    assert await rows(
        engine,
        "SELECT importer_ref, name, timezone, connection_rate_goal, lead_due_days,"
        " lead_rating_enabled, customer_rating_enabled FROM importers",
    ) == [("IMP2", "Lisbon Cars", "Europe/Copenhagen", None, 30, False, False)]


async def test_an_update_sets_empty_optional_cells_to_their_default(engine):
    await seed(engine, "importers", "workshops")
    report = await load(
        engine,
        "importers",
        csv_of(
            "importer_ref,name,timezone,connection_rate_goal,lead_due_days,"
            "lead_rating_enabled,customer_rating_enabled",
            "IMP1,Nordic Motors A/S,,,,,",
        ),
    )
    assert (report.accepted, report.errors) == (1, [])
    report = await load(
        engine, "workshops", csv_of("workshop_ref,importer_ref,name,city", "W1,IMP1,Renamed,")
    )
    assert (report.accepted, report.errors) == (1, [])
    assert await rows(
        engine,
        "SELECT name, timezone, connection_rate_goal, lead_due_days, lead_rating_enabled,"
        " customer_rating_enabled FROM importers",
    ) == [("Nordic Motors A/S", "Europe/Copenhagen", None, 30, False, False)]
    # city was sent empty (now null); connection_rate_goal was not sent (kept).
    assert await rows(
        engine, "SELECT name, city, connection_rate_goal FROM workshops WHERE workshop_ref = 'W1'"
    ) == [("Renamed", None, 0.5)]


async def test_columns_come_in_any_order_and_unknown_columns_are_ignored(engine):
    await seed(engine, "importers")
    body = csv_of(
        "note,name,marketplace_ref,importer_ref",
        "ignored,Second market,M2,IMP1",
    )
    report = await load(engine, "marketplaces", body)
    assert (report.accepted, report.errors) == (1, [])
    assert await rows(engine, "SELECT marketplace_ref, name FROM marketplaces") == [
        ("M2", "Second market")
    ]


async def test_a_rules_file_replaces_the_rule_set_of_each_importer_it_names(engine):
    await seed(engine, "importers", "eligibility_rules")
    report = await load(
        engine,
        "eligibility_rules",
        csv_of("importer_ref,make,model,year_from,year_to,include", "IMP1,Skoda,,2018,,true"),
    )
    assert (report.accepted, report.errors) == (1, [])
    assert await rows(
        engine, "SELECT make, model, year_from, year_to, include FROM eligibility_rules"
    ) == [("Skoda", None, 2018, None, True)]


async def test_quoted_cells_and_a_byte_order_mark_are_read(engine):
    await seed(engine, "importers")
    body = '\ufeffworkshop_ref,importer_ref,name,city\r\nW9,IMP1,"Smith, Sons & Co","Køge"\r\n'
    report = await load(engine, "workshops", body)
    assert (report.accepted, report.errors) == (1, [])
    assert await rows(engine, "SELECT workshop_ref, name, city FROM workshops") == [
        ("W9", "Smith, Sons & Co", "Køge")
    ]
