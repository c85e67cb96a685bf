"""The heap left by start-up is frozen out of garbage collection while the app
serves (server/gc_tuning.py), and handed back at shutdown."""

from __future__ import annotations

import gc

from asgi_lifespan import LifespanManager

from server.app import create_app
from server.gc_tuning import YOUNG_THRESHOLD


async def test_startup_heap_is_frozen_while_serving(settings, database_url):
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_youngest_generation_is_collected_less_often_while_serving(settings, database_url):
    before = gc.get_threshold()
    app = create_app(settings, database_url=database_url, migrate=False)
    async with LifespanManager(app):
        assert gc.get_threshold()[0] >= YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before
