"""index workshop_day by importer and day; notify data-version changes

An importer-wide dashboard reads every workshop's rows of one or two periods;
with only the (workshop_id, day) key that read was a sequential scan of the
whole table. Every change of an importer's data version is announced on the
``insights_data_version`` channel so each server process refreshes its
in-process copies at once (server/data_versions.py).

Revision ID: 0010
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_NOTIFY = """
CREATE FUNCTION notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.data_version IS DISTINCT FROM OLD.data_version THEN
        PERFORM pg_notify('insights_data_version', NEW.importer_id || ':' || NEW.data_version);
    END IF;
    RETURN NEW;
END $$"""


def upgrade() -> None:
    op.create_index(
        "ix_workshop_day_importer_day", "workshop_day", ["importer_id", "day"], unique=False
    )
    op.execute(_NOTIFY)
    op.execute(
        "CREATE TRIGGER processing_state_notify AFTER INSERT OR UPDATE ON processing_state"
        " FOR EACH ROW EXECUTE FUNCTION notify_data_version()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER processing_state_notify ON processing_state")
    op.execute("DROP FUNCTION notify_data_version()")
    op.drop_index("ix_workshop_day_importer_day", table_name="workshop_day")
