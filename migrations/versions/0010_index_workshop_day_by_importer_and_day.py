"""index workshop_day by importer and day

An importer-wide dashboard reads every workshop's rows of one or two periods;
with only the (workshop_id, day) key that read was a sequential scan of the
whole table.

Revision ID: 0010
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_workshop_day_importer_day", "workshop_day", ["importer_id", "day"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_workshop_day_importer_day", table_name="workshop_day")
