"""The fixtures give each test its own migrated database."""

from sqlalchemy import text

from server.migrate import is_current


async def test_fresh_database_is_migrated_and_empty(engine):
    assert await is_current(engine)
    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM importers"))).scalar_one()
    assert count == 0


async def test_writes_do_not_leak_between_tests_part_one(engine):
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO importers (importer_ref, name, timezone, lead_due_days, lead_rating_enabled, customer_rating_enabled) VALUES ('leak', 'Leak', 'UTC', 30, false, false)"
            )
        )


async def test_writes_do_not_leak_between_tests_part_two(engine):
    async with engine.connect() as conn:
        count = (
            await conn.execute(text("SELECT count(*) FROM importers WHERE importer_ref = 'leak'"))
        ).scalar_one()
    assert count == 0
