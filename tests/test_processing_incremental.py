"""Incremental processing recomputes exactly the days a change touches: after
late and corrected rows, an incremental run leaves the rollups equal to a full
rebuild, and a second run changes nothing (ARCHITECTURE.md, "Which days a
change touches")."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from server.demo import DemoScale, write_demo_csvs
from server.ingest import ingest_directory, ingest_file
from server.processing.job import run_processing
from tests.conftest import TODAY

ROLLUPS = {
    "workshop_day": "*",
    "workshop_day_users": "*",
    "workshop_stats": "*",
    "partner_offer_day": "importer_id, partner_id, day, source, exclusive, marketplace_id, offers, accepted, declined, expired, accept_seconds, decline_seconds",
    "partner_cohort_day": "importer_id, partner_id, day, source, exclusive, marketplace_id, cohort, with_feedback, feedback_seconds, won, lost, contacted, contact_seconds, closed, cycle_seconds, lead_rating_sum, lead_ratings, customer_rating_sum, customer_ratings",
    "partner_open_leads": "importer_id, partner_id, day, source, exclusive, marketplace_id, last_touch_day, leads",
    "partner_outflow_day": "importer_id, partner_id, day, exclusive, marketplace_id, receiver_id, leads",
}


async def snapshot(engine) -> dict[str, list[tuple]]:
    async with engine.connect() as conn:
        return {
            table: sorted(
                tuple(map(str, r)) for r in await conn.execute(text(f"SELECT {cols} FROM {table}"))
            )
            for table, cols in ROLLUPS.items()
        }


async def full_rebuild(engine) -> dict[str, list[tuple]]:
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE processing_state SET rebuild_all = true"))
    await run_processing(engine, today=TODAY)
    return await snapshot(engine)


async def one(engine, sql: str) -> tuple:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).one()


def write(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


async def _late_and_corrected_rows(engine, tmp: Path) -> None:
    """Changes whose effect reaches other days than their own."""
    # a visit whose departure moves to another day (old and new day change)
    ref, ws, vin, arrived = await one(
        engine,
        "SELECT v.visit_ref, w.workshop_ref, x.vin, v.arrived_at FROM visits v JOIN workshops w ON w.id = v.workshop_id JOIN vehicles x ON x.id = v.vehicle_id WHERE v.departed_at IS NOT NULL ORDER BY v.id LIMIT 1",
    )
    moved = (arrived + timedelta(days=2)).isoformat()
    await _load(
        engine,
        "visits",
        write(
            tmp / "visits.csv",
            "visit_ref,workshop_ref,vin,arrived_at,departed_at",
            f"{ref},{ws},{vin},{arrived.isoformat()},{moved}",
        ),
    )
    # a late activation for a vehicle that left a workshop five days earlier
    ws2, vin2, departed = await one(
        engine,
        "SELECT w.workshop_ref, x.vin, v.departed_at FROM visits v JOIN workshops w ON w.id = v.workshop_id JOIN vehicles x ON x.id = v.vehicle_id WHERE v.departed_at < now() - interval '20 days' AND NOT EXISTS (SELECT 1 FROM activations a WHERE a.vehicle_id = v.vehicle_id) ORDER BY v.id LIMIT 1",
    )
    late = (departed + timedelta(days=5)).isoformat()
    await _load(
        engine,
        "activations",
        write(
            tmp / "activations.csv",
            "vin,workshop_ref,invited_at,activated_at,deactivated_at",
            f"{vin2},{ws2},{departed.isoformat()},{late},",
        ),
    )
    # a deactivation, backdated before some departures of that vehicle
    vin3, ws3, invited, activated = await one(
        engine,
        "SELECT x.vin, w.workshop_ref, a.invited_at, a.activated_at FROM activations a JOIN vehicles x ON x.id = a.vehicle_id JOIN workshops w ON w.id = a.workshop_id WHERE a.activated_at IS NOT NULL AND a.deactivated_at IS NULL ORDER BY a.id LIMIT 1",
    )
    await _load(
        engine,
        "activations",
        write(
            tmp / "deactivations.csv",
            "vin,workshop_ref,invited_at,activated_at,deactivated_at",
            f"{vin3},{ws3},{invited.isoformat()},{activated.isoformat()},{(activated + timedelta(hours=1)).isoformat()}",
        ),
    )
    # vehicle master data corrected: now an excluded model year
    vin4, imp, make, model = await one(
        engine,
        "SELECT x.vin, i.importer_ref, x.make, x.model FROM vehicles x JOIN importers i ON i.id = x.importer_id JOIN visits v ON v.vehicle_id = x.id WHERE x.model_year > 2016 ORDER BY x.id LIMIT 1",
    )
    await _load(
        engine,
        "vehicles",
        write(
            tmp / "vehicles.csv",
            "vin,importer_ref,make,model,model_year",
            f"{vin4},{imp},{make},{model},2005",
        ),
    )
    # a lead event on a lead accepted weeks ago: reaches the acceptance day (cohort)
    lead, partner, responded = await one(
        engine,
        "SELECT l.lead_ref, p.partner_ref, o.responded_at FROM lead_offers o JOIN leads l ON l.id = o.lead_id JOIN sales_partners p ON p.id = o.partner_id WHERE o.response = 'ACCEPTED' AND o.responded_at < now() - interval '20 days' AND NOT EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_id = o.lead_id AND e.kind IN ('WON', 'LOST')) ORDER BY o.id LIMIT 1",
    )
    await _load(
        engine,
        "lead_events",
        write(
            tmp / "lead_events.csv",
            "lead_ref,partner_ref,occurred_at,kind,value",
            f"{lead},{partner},{(responded + timedelta(days=3)).isoformat()},LOST,",
        ),
    )
    # an offer whose response is corrected from DECLINED to ACCEPTED (outflow of others changes)
    lead2, partner2, offered, responded2 = await one(
        engine,
        "SELECT l.lead_ref, p.partner_ref, o.offered_at, o.responded_at FROM lead_offers o JOIN leads l ON l.id = o.lead_id JOIN sales_partners p ON p.id = o.partner_id WHERE o.response = 'DECLINED' ORDER BY o.id LIMIT 1",
    )
    await _load(
        engine,
        "lead_offers",
        write(
            tmp / "lead_offers.csv",
            "lead_ref,partner_ref,offered_at,expires_at,response,responded_at",
            f"{lead2},{partner2},{offered.isoformat()},,ACCEPTED,{responded2.isoformat()}",
        ),
    )


async def _load(engine, kind: str, path: Path) -> None:
    report = await ingest_file(engine, kind, path)
    assert report.errors == [] and report.accepted == 1, report


async def test_incremental_equals_full_rebuild(engine, tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    write_demo_csvs(
        base, end=TODAY - timedelta(days=1), scale=DemoScale(workshops=4, partners=4, days=60)
    )
    reports = await ingest_directory(engine, base)
    assert all(not r.errors for r in reports)
    await run_processing(engine, today=TODAY)
    assert await snapshot(engine) == await full_rebuild(engine)

    await _late_and_corrected_rows(engine, tmp_path)
    async with engine.connect() as conn:
        dirty = (await conn.execute(text("SELECT count(*) FROM dirty_days"))).scalar_one()
    assert dirty > 0
    runs = await run_processing(engine, today=TODAY)
    assert all(r.workshop_days is not None for r in runs)  # incremental, not everything
    incremental = await snapshot(engine)
    assert incremental == await full_rebuild(engine)
    await run_processing(engine, today=TODAY)
    assert await snapshot(engine) == incremental  # re-running changes nothing


async def test_rule_change_rebuilds_every_day(engine, tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    write_demo_csvs(
        base, end=TODAY - timedelta(days=1), scale=DemoScale(workshops=3, partners=2, days=30)
    )
    await ingest_directory(engine, base)
    await run_processing(engine, today=TODAY)
    before = await one(engine, "SELECT sum(eligible) FROM workshop_day")
    rules = write(
        tmp_path / "eligibility_rules.csv",
        "importer_ref,make,model,year_from,year_to,include",
        "demo,NoSuchMake,,,,true",
    )
    report = await ingest_file(engine, "eligibility_rules", rules)
    assert not report.errors
    runs = await run_processing(engine, today=TODAY)
    assert any(r.workshop_days is None for r in runs)  # the whole importer was rebuilt
    after = await one(
        engine,
        "SELECT sum(eligible) FROM workshop_day w JOIN importers i ON i.id = w.importer_id WHERE i.importer_ref = 'demo'",
    )
    assert before[0] > 0 and after[0] == 0
    assert await snapshot(engine) == await full_rebuild(engine)
