"""fact tables keep only the indexes something reads

Revision ID: 0070
Revises: 0050

Writing new facts is dominated by index maintenance: each index whose key
order is unrelated to the arrival of new rows (vehicle, workshop) costs a
random leaf page per row, and at a few million rows with the default 128 MB
of shared buffers most of those pages are not cached.

- ``visits (vehicle_id, departed_at)``: read only when loading vehicles or
  activations, to mark the days of every departure of their vehicles (20 index
  scans in the full-scale set's whole life); that join now reads the visits by
  a hash join (1,000 activations: 20 ms before, 175 ms after, at 0.9 M visits).
  Without it, 1 M new visits into 0.9 M went from 10,697 to 18,171 rows/s
  (``bench/ingest_speed.py``, the same minutes on one loaded machine).
- ``(workshop_id, <time>)`` of activations, chats, campaigns and leads: never
  read (0 scans at 2,000 workshops x 730 days after full and one-day
  processing and every benchmark request): processing reads each fact table by
  importer and time range, and requests read the rollups only.

The indexes that stay are read on every processing run: ``(importer_id,
<time>)`` of each fact table, and the newest departure and open arrival per
workshop of ``visits``; the unique keys are the upsert keys.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0070"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns) dropped here
UNREAD: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_visits_vehicle_departed", "visits", ["vehicle_id", "departed_at"]),
    ("ix_activations_workshop_activated", "activations", ["workshop_id", "activated_at"]),
    ("ix_chats_workshop_started", "chats", ["workshop_id", "started_at"]),
    ("ix_campaigns_workshop_sent", "campaigns", ["workshop_id", "sent_at"]),
    ("ix_leads_workshop_created", "leads", ["workshop_id", "created_at"]),
)


def upgrade() -> None:
    for name, table, _ in UNREAD:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in UNREAD:
        op.create_index(name, table, columns)
