"""The demo data set: DOMAIN.md files, deterministic, valid, and shaped so every
dashboard has something to show (METRICS.md)."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from server.demo import (
    DEMO_IMPORTER,
    LAGGING_WORKSHOP,
    OTHER_IMPORTER,
    DemoScale,
    database_is_empty,
    load_demo,
    write_demo_csvs,
)

END = date(2026, 3, 4)  # a Wednesday, so end - 4 (the lagging feed's last day) is a Saturday
SMALL = DemoScale(workshops=4, partners=3, days=30)
MEDIUM = DemoScale(workshops=8, partners=5, days=200)  # spans the October DST change

# Written out from DOMAIN.md by hand, independently of server.demo's own table.
DOMAIN_COLUMNS = {
    "importers": "importer_ref,name,timezone,connection_rate_goal,lead_due_days,"
    "lead_rating_enabled,customer_rating_enabled",
    "workshops": "workshop_ref,importer_ref,name,city,connection_rate_goal",
    "eligibility_rules": "importer_ref,make,model,year_from,year_to,include",
    "marketplaces": "marketplace_ref,importer_ref,name",
    "sales_partners": "partner_ref,importer_ref,name,workshop_ref,partner_since",
    "vehicles": "vin,importer_ref,make,model,model_year",
    "visits": "visit_ref,workshop_ref,vin,arrived_at,departed_at",
    "activations": "vin,workshop_ref,invited_at,activated_at,deactivated_at",
    "chats": "conversation_ref,workshop_ref,started_at,messages,first_response_at",
    "leads": "lead_ref,importer_ref,created_at,source,marketplace_ref,exclusive,workshop_ref",
    "lead_offers": "lead_ref,partner_ref,offered_at,expires_at,response,responded_at",
    "lead_events": "lead_ref,partner_ref,occurred_at,kind,value",
    "app_activity": "app_user_ref,workshop_ref,day",
    "staff_activity": "user_ref,workshop_ref,day,actions",
    "campaigns": "campaign_ref,workshop_ref,sent_at,recipients",
}
TIMESTAMP_COLUMNS = {
    "visits": ("arrived_at", "departed_at"),
    "activations": ("invited_at", "activated_at", "deactivated_at"),
    "chats": ("started_at", "first_response_at"),
    "leads": ("created_at",),
    "lead_offers": ("offered_at", "expires_at", "responded_at"),
    "lead_events": ("occurred_at",),
    "campaigns": ("sent_at",),
}
DATE_COLUMNS = {
    "sales_partners": ("partner_since",),
    "app_activity": ("day",),
    "staff_activity": ("day",),
}
KEYS = {
    "importers": ("importer_ref",),
    "workshops": ("workshop_ref",),
    "marketplaces": ("marketplace_ref",),
    "sales_partners": ("partner_ref",),
    "vehicles": ("vin",),
    "visits": ("visit_ref",),
    "activations": ("vin", "invited_at"),
    "chats": ("conversation_ref",),
    "leads": ("lead_ref",),
    "lead_offers": ("lead_ref", "partner_ref"),
    "lead_events": ("lead_ref", "partner_ref", "kind", "occurred_at"),
    "app_activity": ("app_user_ref", "workshop_ref", "day"),
    "staff_activity": ("user_ref", "workshop_ref", "day"),
    "campaigns": ("campaign_ref",),
}
ZONES = {"DK": ZoneInfo("Europe/Copenhagen"), "FI": ZoneInfo("Europe/Helsinki")}
WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

TABLE_KINDS = (
    "importers",
    "workshops",
    "eligibility_rules",
    "marketplaces",
    "sales_partners",
    "vehicles",
    "visits",
    "activations",
    "chats",
    "leads",
    "lead_offers",
    "lead_events",
    "app_activity",
    "staff_activity",
    "campaigns",
)

Rows = dict[str, list[dict[str, str]]]


def read(directory: Path) -> Rows:
    return {
        kind: list(csv.DictReader((directory / f"{kind}.csv").open(encoding="utf-8")))
        for kind in DOMAIN_COLUMNS
    }


def zone(row: dict[str, str]) -> ZoneInfo:
    """Every demo reference starts with its importer's country (DK- or FI-)."""
    for column, value in row.items():
        if column.endswith("_ref") and value[:3] in ("DK-", "FI-"):
            return ZONES[value[:2]]
    raise AssertionError(f"no country prefix in {row}")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    directory = tmp_path_factory.mktemp("small")
    return directory, write_demo_csvs(directory, end=END, scale=SMALL)


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> Rows:
    directory = tmp_path_factory.mktemp("medium")
    write_demo_csvs(directory, end=END, scale=MEDIUM)
    return read(directory)


def test_same_arguments_give_byte_identical_files(small, tmp_path):
    directory, counts = small
    again = write_demo_csvs(tmp_path, end=END, scale=SMALL)
    assert again == counts
    for kind in DOMAIN_COLUMNS:
        name = f"{kind}.csv"
        assert (tmp_path / name).read_bytes() == (directory / name).read_bytes(), kind


def test_another_seed_gives_other_data(small, tmp_path):
    write_demo_csvs(tmp_path, end=END, scale=SMALL, seed=8)
    assert (tmp_path / "visits.csv").read_bytes() != (small[0] / "visits.csv").read_bytes()


def test_every_kind_has_exactly_its_documented_header(small):
    directory, counts = small
    assert sorted(path.name for path in directory.iterdir()) == sorted(
        f"{kind}.csv" for kind in DOMAIN_COLUMNS
    )
    for kind, header in DOMAIN_COLUMNS.items():
        lines = (directory / f"{kind}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == header
        assert counts[kind] == len(lines) - 1
        assert counts[kind] > 0, kind


def test_every_timestamp_has_the_offset_of_its_importers_zone(rows):
    seen = 0
    for kind, columns in TIMESTAMP_COLUMNS.items():
        for row in rows[kind]:
            for column in columns:
                if not row[column]:
                    continue
                assert WITH_OFFSET.match(row[column]), (kind, column, row[column])
                instant = datetime.fromisoformat(row[column])
                assert instant.utcoffset() == instant.astimezone(zone(row)).utcoffset()
                seen += 1
    assert seen > 30_000


def test_nothing_happens_after_the_end(rows):
    for kind, columns in TIMESTAMP_COLUMNS.items():
        for row in rows[kind]:
            for column in columns:
                if row[column]:
                    local = datetime.fromisoformat(row[column]).astimezone(zone(row))
                    assert local.date() <= END, (kind, column, row)
    for kind, columns in DATE_COLUMNS.items():
        for row in rows[kind]:
            for column in columns:
                assert date.fromisoformat(row[column]) <= END, (kind, column, row)


def _newest_visit_days(rows: Rows) -> dict[str, date]:
    newest: dict[str, date] = {}
    for visit in rows["visits"]:
        tz = ZONES[visit["workshop_ref"][:2]]
        for column in ("arrived_at", "departed_at"):
            if visit[column]:
                day = datetime.fromisoformat(visit[column]).astimezone(tz).date()
                newest[visit["workshop_ref"]] = max(day, newest.get(visit["workshop_ref"], day))
    return newest


def test_the_lagging_feed_stops_four_days_before_the_end(small, rows):
    assert _newest_visit_days(read(small[0]))[LAGGING_WORKSHOP] == date(2026, 2, 28)
    newest = _newest_visit_days(rows)
    assert newest.pop(LAGGING_WORKSHOP) == date(2026, 2, 28)
    assert max(newest.values()) == END


def test_keys_are_unique_and_vins_well_formed(rows):
    for kind, key in KEYS.items():
        keys = Counter(tuple(row[column] for column in key) for row in rows[kind])
        assert keys.most_common(1)[0][1] == 1, kind
    for vehicle in rows["vehicles"]:
        assert re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vehicle["vin"]), vehicle


def test_rows_pass_the_domain_rules(rows):
    for visit in rows["visits"]:
        if visit["departed_at"]:
            departed = datetime.fromisoformat(visit["departed_at"])
            assert departed >= datetime.fromisoformat(visit["arrived_at"]), visit
    for offer in rows["lead_offers"]:
        answered = offer["response"] in ("ACCEPTED", "DECLINED")
        assert bool(offer["responded_at"]) == answered, offer
    for event in rows["lead_events"]:
        rating = event["kind"] in ("LEAD_RATING", "CUSTOMER_RATING")
        assert (event["value"] in {"1", "2", "3", "4", "5"}) if rating else event["value"] == ""
    for lead in rows["leads"]:
        assert bool(lead["marketplace_ref"]) == (lead["source"] == "MARKETPLACE"), lead
    for chat in rows["chats"]:
        assert 1 <= int(chat["messages"]) <= 30


def test_references_point_at_rows_of_the_same_importer(rows):
    importer_of = {row["workshop_ref"]: row["importer_ref"] for row in rows["workshops"]} | {
        row["marketplace_ref"]: row["importer_ref"] for row in rows["marketplaces"]
    }
    vins = {row["vin"] for row in rows["vehicles"]}
    for kind in ("visits", "activations", "chats", "app_activity", "staff_activity", "campaigns"):
        for row in rows[kind]:
            assert row["workshop_ref"] in importer_of, (kind, row)
    for kind in ("visits", "activations"):
        assert {row["vin"] for row in rows[kind]} <= vins
    for lead in rows["leads"]:
        for column in ("workshop_ref", "marketplace_ref"):
            assert not lead[column] or importer_of[lead[column]] == lead["importer_ref"]
    lead_importer = {lead["lead_ref"]: lead["importer_ref"] for lead in rows["leads"]}
    partner_importer = {p["partner_ref"]: p["importer_ref"] for p in rows["sales_partners"]}
    for offer in rows["lead_offers"]:
        assert lead_importer[offer["lead_ref"]] == partner_importer[offer["partner_ref"]]


def test_reference_data_is_as_documented(small):
    rows = read(small[0])
    assert rows["importers"] == [
        {
            "importer_ref": DEMO_IMPORTER,
            "name": "Demo Motor Import Danmark",
            "timezone": "Europe/Copenhagen",
            "connection_rate_goal": "0.6",
            "lead_due_days": "30",
            "lead_rating_enabled": "true",
            "customer_rating_enabled": "false",
        },
        {
            "importer_ref": OTHER_IMPORTER,
            "name": "Other Auto Import Oy",
            "timezone": "Europe/Helsinki",
            "connection_rate_goal": "0.5",
            "lead_due_days": "21",
            "lead_rating_enabled": "false",
            "customer_rating_enabled": "true",
        },
    ]
    rules = [tuple(rule.values()) for rule in rows["eligibility_rules"]]
    assert rules == [
        ("demo", "Volkswagen", "", "", "", "true"),
        ("demo", "Cupra", "", "", "", "true"),
        ("demo", "Volkswagen", "", "", "2015", "false"),
        ("demo", "Volkswagen", "up!", "", "", "false"),
        ("other", "Skoda", "", "2015", "", "true"),
    ]
    per_importer = Counter(row["importer_ref"] for row in rows["workshops"])
    assert per_importer == {DEMO_IMPORTER: 4, OTHER_IMPORTER: 3}
    partners = Counter(row["importer_ref"] for row in rows["sales_partners"])
    assert partners == {DEMO_IMPORTER: 3, OTHER_IMPORTER: 2}
    linked = [(p["partner_ref"], p["workshop_ref"]) for p in rows["sales_partners"]]
    assert linked[:3] == [("DK-P01", "DK-W001"), ("DK-P02", "DK-W003"), ("DK-P03", "")]
    assert rows["sales_partners"][2]["partner_since"] == "2026-02-22"  # end - days // 3
    markets = [(m["marketplace_ref"], m["importer_ref"]) for m in rows["marketplaces"]]
    assert markets == [("DK-M1", "demo"), ("DK-M2", "demo"), ("FI-M1", "other")]


def test_vehicle_makes_come_in_several_spellings(rows):
    makes = Counter(v["make"] for v in rows["vehicles"] if v["importer_ref"] == "demo")
    assert set(makes) == {"Volkswagen", "VOLKSWAGEN", "volkswagen", "CUPRA", "Ford"}
    assert makes["Volkswagen"] > makes["VOLKSWAGEN"] > makes["volkswagen"]


def test_default_volume_stays_between_100k_and_300k_rows(tmp_path):
    counts = write_demo_csvs(tmp_path, end=END)
    assert 100_000 <= sum(counts.values()) <= 300_000
    assert (counts["workshops"], counts["sales_partners"], counts["marketplaces"]) == (28, 10, 3)


def test_factor_scales_daily_volumes(small, tmp_path):
    doubled = write_demo_csvs(tmp_path, end=END, scale=DemoScale(4, 3, 30, factor=2.0))
    demo_visits = sum(1 for r in read(small[0])["visits"] if r["workshop_ref"].startswith("DK"))
    doubled_visits = sum(1 for r in read(tmp_path)["visits"] if r["workshop_ref"].startswith("DK"))
    assert 1.7 < doubled_visits / demo_visits < 2.3
    assert doubled["importers"] == 2


def test_the_other_importer_covers_sixty_days(small):
    arrivals = [
        datetime.fromisoformat(v["arrived_at"]).astimezone(ZONES["FI"]).date()
        for v in read(small[0])["visits"]
        if v["workshop_ref"].startswith("FI-")
    ]
    # The window starts on Sunday 4 January, when the workshops are closed.
    assert (min(arrivals), max(arrivals)) == (date(2026, 1, 5), END)


def test_visits_follow_the_working_week(rows):
    per_weekday = Counter(datetime.fromisoformat(v["arrived_at"]).weekday() for v in rows["visits"])
    assert min(per_weekday[day] for day in range(5)) > 3 * per_weekday[5] > 3 * per_weekday[6]


def test_some_cars_are_still_in_the_workshop_at_the_end(rows):
    open_visits = [v for v in rows["visits"] if not v["departed_at"]]
    assert 5 <= len(open_visits) <= 100
    for visit in open_visits:
        arrived = datetime.fromisoformat(visit["arrived_at"]).astimezone(ZONES["DK"]).date()
        assert arrived >= END - timedelta(days=3 + 4)  # stays last at most 3 days


def test_activation_delays_straddle_the_grace_period(rows):
    delays = [
        datetime.fromisoformat(a["activated_at"]) - datetime.fromisoformat(a["invited_at"])
        for a in rows["activations"]
        if a["activated_at"]
    ]
    within = sum(1 for delay in delays if delay <= timedelta(days=7))
    late = sum(1 for delay in delays if timedelta(days=7) < delay <= timedelta(days=11))
    assert 0.8 < within / len(delays) < 0.95
    assert late + within == len(delays)
    never = sum(1 for a in rows["activations"] if not a["activated_at"])
    deactivated = sum(1 for a in rows["activations"] if a["deactivated_at"])
    assert never > 0
    assert 0 < deactivated < len(delays) * 0.1


def test_marketplace_leads_go_to_the_first_partner_who_accepts(rows):
    offers: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for offer in rows["lead_offers"]:
        offers[offer["lead_ref"]].append(offer)
    leads = {lead["lead_ref"]: lead for lead in rows["leads"]}
    responses = Counter(offer["response"] for offer in rows["lead_offers"])
    assert set(responses) == {"ACCEPTED", "DECLINED", "EXPIRED", "PENDING"}
    for lead_ref, lead_offers in offers.items():
        lead = leads[lead_ref]
        shared = lead["source"] == "MARKETPLACE" and lead["exclusive"] == "false"
        assert (2 <= len(lead_offers) <= 4) if shared else len(lead_offers) == 1
        accepted = [o for o in lead_offers if o["response"] == "ACCEPTED"]
        assert len(accepted) <= 1
        for offer in lead_offers:
            if accepted and offer["response"] == "DECLINED":
                declined = datetime.fromisoformat(offer["responded_at"])
                assert declined < datetime.fromisoformat(accepted[0]["responded_at"])


def test_events_belong_to_accepted_offers_and_follow_the_acceptance(rows):
    accepted = {
        (o["lead_ref"], o["partner_ref"]): datetime.fromisoformat(o["responded_at"])
        for o in rows["lead_offers"]
        if o["response"] == "ACCEPTED"
    }
    kinds: Counter[str] = Counter()
    for event in rows["lead_events"]:
        at = accepted[(event["lead_ref"], event["partner_ref"])]
        assert datetime.fromisoformat(event["occurred_at"]) >= at
        kinds[event["kind"]] += 1
    assert set(kinds) == {
        "FEEDBACK",
        "FIRST_CONTACT",
        "WON",
        "LOST",
        "LEAD_RATING",
        "CUSTOMER_RATING",
    }
    with_feedback = {
        (e["lead_ref"], e["partner_ref"]) for e in rows["lead_events"] if e["kind"] == "FEEDBACK"
    }
    assert 0.4 < len(with_feedback) / len(accepted) < 0.95


def test_scale_out_of_range_is_refused():
    with pytest.raises(ValueError, match=r"workshops=1 \(need at least 2\)"):
        DemoScale(workshops=1)


async def test_an_empty_database_is_empty(engine):
    assert await database_is_empty(engine)


async def test_small_demo_loads_through_ingestion(engine):
    pytest.importorskip("server.ingest", reason="the ingest package is not written yet")
    from server import ingest

    if not hasattr(ingest, "ingest_directory"):
        pytest.skip("server.ingest has no ingest_directory yet")
    counts = await load_demo(engine, end=END, scale=SMALL)
    assert not await database_is_empty(engine)
    async with engine.connect() as conn:
        for table in TABLE_KINDS:
            stored = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            assert stored == counts[table], table
