"""versioned dirty-day marks and rebuild requests

A processing run clears only the marks it read, at the version it read, so a
change committed while a run is under way is never dropped.

Revision ID: 0050
Revises: 0040
Create Date: 2026-12-01 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0050"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "dirty_days", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "processing_state",
        sa.Column("rebuild_requests", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("processing_state", "rebuild_requests")
    op.drop_column("dirty_days", "version")
