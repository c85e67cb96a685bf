"""copy blocks: the rollups as raw columnar bytes per importer, kind and day

Written by processing for the days it rebuilds, read by the server to load its
in-process copies without re-reading every rollup row.

Revision ID: 0060
Revises: 0050
Create Date: 2026-12-01 18:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0060"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "copy_blocks",
        sa.Column("importer_id", sa.Integer(), sa.ForeignKey("importers.id"), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("labels", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("importer_id", "kind", "day"),
    )
    # raw numbers compress little and pglz is slow: store the bytes as they are
    op.execute("ALTER TABLE copy_blocks ALTER COLUMN payload SET STORAGE EXTERNAL")
    op.add_column("processing_state", sa.Column("blocks_version", sa.Integer(), nullable=True))
    # a day's ids of an importer were a sequential scan (every block write of a day)
    op.create_index(
        "ix_workshop_day_users_importer_day", "workshop_day_users", ["importer_id", "day"]
    )


def downgrade() -> None:
    op.drop_index("ix_workshop_day_users_importer_day", table_name="workshop_day_users")
    op.drop_column("processing_state", "blocks_version")
    op.drop_table("copy_blocks")
