"""The indexes of ``visits``, the fact table written most: each one costs a
random page per new row, so only those something reads stay (migration 0070).

- the primary key and the upsert key ``(importer_id, visit_ref)``: ingestion;
- ``(importer_id, departed_at)``: processing reads the importer's day range;
- ``(workshop_id, departed_at)`` and the open-visit ``(workshop_id,
  arrived_at)``: processing's newest delivered instant per workshop.

Loading vehicles or activations still marks every departure of their vehicles
(``test_ingest_dirty``), by a hash join over the visits instead of an index.
"""

from __future__ import annotations

from tests.test_ingest_helpers import rows

READ_INDEXES = [
    ("ix_visits_importer_departed", "(importer_id, departed_at)"),
    ("ix_visits_workshop_arrived_open", "(workshop_id, arrived_at) WHERE (departed_at IS NULL)"),
    ("ix_visits_workshop_departed", "(workshop_id, departed_at)"),
    ("visits_importer_id_visit_ref_key", "(importer_id, visit_ref)"),
    ("visits_pkey", "(id)"),
]


async def test_visits_keep_only_the_indexes_something_reads(engine):
    found = await rows(
        engine,
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'visits' ORDER BY 1",
    )
    assert [(name, definition.split(" USING btree ")[1]) for name, definition in found] == (
        READ_INDEXES
    )
