"""vehicles keyed per importer: (importer_id, vin) instead of a global vin

A VIN known to one importer must not be visible to another (not even as "already
registered to another importer"), and a car sold across a border is a vehicle
of each importer that services it.

Revision ID: 0030
Revises: 0020
Create Date: 2026-12-01 15:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_unique_constraint("vehicles_importer_id_vin_key", "vehicles", ["importer_id", "vin"])
    op.drop_constraint("vehicles_vin_key", "vehicles", type_="unique")


def downgrade() -> None:
    # Fails, as it must, once two importers hold the same VIN.
    op.create_unique_constraint("vehicles_vin_key", "vehicles", ["vin"])
    op.drop_constraint("vehicles_importer_id_vin_key", "vehicles", type_="unique")
