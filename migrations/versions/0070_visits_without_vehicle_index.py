"""visits without the (vehicle_id, departed_at) index

Revision ID: 0070
Revises: 0050

Writing new visits is dominated by index maintenance: each index whose key
order is unrelated to the arrival of new rows (vehicle, workshop, departure
time) costs a random leaf page per row, and at a few million visits with the
default 128 MB of shared buffers most of those pages are not cached. Measured
on 1 M new visits into 0.9 M (one loaded 2-core machine, the same minutes): a
plain INSERT with every index 52 s, without this one 33 s, without the three
random ones 10 s.

The other visits indexes are read on every processing run (the importer's
day range, each workshop's newest departure and open arrival) and stay. This
one was read only when loading vehicles or activations, to mark the days of
every departure of their vehicles; that join now reads the importer's visits
by a hash join instead (about a second at 7 M visits, once per such file).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0070"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_visits_vehicle_departed", table_name="visits")


def downgrade() -> None:
    op.create_index("ix_visits_vehicle_departed", "visits", ["vehicle_id", "departed_at"])
