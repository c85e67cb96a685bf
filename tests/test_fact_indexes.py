"""The indexes of the fact tables ingestion appends to in bulk: each one costs a
random page per new row, so only those something reads stay (migration 0070).

- the primary keys and the unique keys (the upsert keys of ingestion);
- ``(importer_id, <time>)``: processing reads each importer's day range;
- ``visits (workshop_id, departed_at)`` and the open-visit ``(workshop_id,
  arrived_at)``: processing's newest delivered instant per workshop.

Loading vehicles or activations still marks every departure of their vehicles
(``test_ingest_dirty``), by a hash join over the visits instead of an index.
"""

from __future__ import annotations

import pytest

from tests.test_ingest_helpers import rows

READ_INDEXES = {
    "visits": [
        ("ix_visits_importer_departed", "(importer_id, departed_at)"),
        (
            "ix_visits_workshop_arrived_open",
            "(workshop_id, arrived_at) WHERE (departed_at IS NULL)",
        ),
        ("ix_visits_workshop_departed", "(workshop_id, departed_at)"),
        ("visits_importer_id_visit_ref_key", "(importer_id, visit_ref)"),
        ("visits_pkey", "(id)"),
    ],
    "activations": [
        ("activations_pkey", "(id)"),
        ("activations_vehicle_id_invited_at_key", "(vehicle_id, invited_at)"),
        ("ix_activations_importer_activated", "(importer_id, activated_at)"),
    ],
    "chats": [
        ("chats_importer_id_conversation_ref_key", "(importer_id, conversation_ref)"),
        ("chats_pkey", "(id)"),
        ("ix_chats_importer_started", "(importer_id, started_at)"),
    ],
    "campaigns": [
        ("campaigns_importer_id_campaign_ref_key", "(importer_id, campaign_ref)"),
        ("campaigns_pkey", "(id)"),
        ("ix_campaigns_importer_sent", "(importer_id, sent_at)"),
    ],
    "leads": [
        ("ix_leads_importer_created", "(importer_id, created_at)"),
        ("leads_importer_id_lead_ref_key", "(importer_id, lead_ref)"),
        ("leads_pkey", "(id)"),
    ],
}


@pytest.mark.parametrize("table", sorted(READ_INDEXES))
async def test_fact_tables_keep_only_the_indexes_something_reads(engine, table):
    found = await rows(
        engine,
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table ORDER BY 1",
        table=table,
    )
    assert [(name, definition.split(" USING btree ")[1]) for name, definition in found] == (
        READ_INDEXES[table]
    )
