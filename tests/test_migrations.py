"""The migrations build exactly the schema the models describe: autogenerate
finds nothing to add, so a model change without a migration fails here."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import server.models  # noqa: F401  (registers the tables)


async def test_models_and_migrations_agree(engine):
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
        )
    assert diff == []
