"""index lead events by importer and time, so one-day processing reads one day

Revision ID: 0020
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_lead_events_importer_occurred",
        "lead_events",
        ["importer_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_lead_events_importer_occurred", table_name="lead_events")
