"""rollups without foreign keys

Revision ID: 0080
Revises: 0050

Processing rewrites the rollup tables in bulk; their per-row RI triggers (one
lookup of the importer, workshop or partner per inserted row and key) were about
a third of a full rebuild (500 workshops x 365 days: 35 s of 85 s). Every rollup
row is derived from facts whose refs ingestion checked, and referenced rows are
never deleted, so the keys guarded nothing; the models name each target in
``Column.info["derived_from"]`` instead.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0080"
down_revision: str | None = "0070"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (column, referenced table) of every foreign key dropped here
ROLLUP_REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "workshop_day": (("importer_id", "importers"), ("workshop_id", "workshops")),
    "workshop_day_users": (("importer_id", "importers"), ("workshop_id", "workshops")),
    "workshop_stats": (("importer_id", "importers"), ("workshop_id", "workshops")),
    "partner_offer_day": (("importer_id", "importers"), ("partner_id", "sales_partners")),
    "partner_cohort_day": (("importer_id", "importers"), ("partner_id", "sales_partners")),
    "partner_open_leads": (("importer_id", "importers"), ("partner_id", "sales_partners")),
    "partner_outflow_day": (
        ("importer_id", "importers"),
        ("partner_id", "sales_partners"),
        ("receiver_id", "sales_partners"),
    ),
}


def upgrade() -> None:
    for table, refs in ROLLUP_REFS.items():
        for column, _ in refs:
            op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")


def downgrade() -> None:
    for table, refs in ROLLUP_REFS.items():
        for column, target in refs:
            op.create_foreign_key(f"{table}_{column}_fkey", table, target, [column], ["id"])
