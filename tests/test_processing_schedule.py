"""The in-process schedule of `insights serve`: an importer is due once its local
clock has passed the processing time and its rollups lag its as-of."""

from datetime import UTC, datetime, time

from server.processing.job import run_processing
from server.processing.schedule import _due_importers
from tests.oracle.fixtures import insert_importer

NOON = time(12, 0)


async def test_due_by_local_clock_and_lag(engine):
    async with engine.begin() as c:
        await insert_importer(c, ref="cph", timezone="Europe/Copenhagen")
        await insert_importer(c, ref="nyc", timezone="America/New_York")
    # 11:30 UTC = 12:30 in Copenhagen, 06:30 in New York
    at = datetime(2026, 11, 24, 11, 30, tzinfo=UTC)
    assert await _due_importers(engine, NOON, at) == ["cph"]
    await run_processing(engine, importer_ref="cph", today=datetime(2026, 11, 24).date())
    assert await _due_importers(engine, NOON, at) == []  # processed through 2026-11-23
    # 17:05 UTC = 12:05 in New York; Copenhagen is still current
    assert await _due_importers(engine, NOON, datetime(2026, 11, 24, 17, 5, tzinfo=UTC)) == ["nyc"]
