"""http edge: content versions for HTTP caching, stored persisted queries

Revision ID: 0040
Revises: 0030
Create Date: 2026-12-01 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Bumped by every write a query can see before processing (ingest, goals,
    # saved filters); with data_version it makes the ETag of GET answers.
    op.create_table(
        "content_versions",
        sa.Column("importer_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["importer_id"], ["importers.id"]),
        sa.PrimaryKeyConstraint("importer_id"),
    )
    op.create_table(
        "persisted_queries",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column(
            "last_used_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_index("ix_persisted_queries_last_used", "persisted_queries", ["last_used_at"])


def downgrade() -> None:
    op.drop_index("ix_persisted_queries_last_used", table_name="persisted_queries")
    op.drop_table("persisted_queries")
    op.drop_table("content_versions")
