"""The demo data set: two importers with a year of realistic, deterministic data.

``write_demo_csvs`` writes it as DOMAIN.md CSV files; ``load_demo`` loads it
through the ordinary ingestion path (what ``insights demo`` and ``make run`` use).
"""

from server.demo._files import write_demo_csvs
from server.demo._kinds import COLUMNS, KINDS
from server.demo._loader import database_is_empty, load_demo
from server.demo._scale import (
    DEMO_IMPORTER,
    FEED_LAG_DAYS,
    LAGGING_WORKSHOP,
    OTHER_IMPORTER,
    DemoScale,
)

__all__ = [
    "COLUMNS",
    "DEMO_IMPORTER",
    "FEED_LAG_DAYS",
    "KINDS",
    "LAGGING_WORKSHOP",
    "OTHER_IMPORTER",
    "DemoScale",
    "database_is_empty",
    "load_demo",
    "write_demo_csvs",
]
