"""From the staging table into the target: one set-based upsert that also marks
the days it touches, or, for eligibility rules, a replacement of rule sets."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from server.ingest._dirty import REBUILD_ALL, TOUCHED_DAYS
from server.ingest._spec import STAGE, KindSpec

# Each request counts, so a run that read the flag earlier does not clear it.
_MARK_REBUILD = """INSERT INTO processing_state
        (importer_id, rebuild_all, rebuild_requests, data_version)
    SELECT DISTINCT importer_id, true, 1, 0 FROM ({ids}) AS rebuild (importer_id)
    ON CONFLICT (importer_id) DO UPDATE SET
        rebuild_all = true, rebuild_requests = processing_state.rebuild_requests + 1"""


async def write(conn: Any, spec: KindSpec, header: Collection[str]) -> None:
    """Write every staged row of ``spec`` in the open transaction."""
    if not spec.key:
        await replace_rules(conn)
        return
    for statement in spec.prepare:
        await conn.execute(statement)
    await conn.execute(upsert_statement(spec, set(header)))


def upsert_statement(spec: KindSpec, header: set[str]) -> str:
    """INSERT ... SELECT ... ON CONFLICT for the staged rows, followed (in the
    same statement, hence with the table as it was before) by the marking of
    the days the inserted and really changed rows touch."""
    columns = ", ".join(spec.insert)
    updates = spec.updates(header)
    if updates:
        action = (
            "DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in updates)
            # Unchanged rows are left alone: no write, no RETURNING, no dirty day.
            + f" WHERE ({', '.join(f't.{c}' for c in updates)})"
            + f" IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in updates)})"
        )
    else:
        action = "DO NOTHING"
    upsert = (
        f"INSERT INTO {spec.table} AS t ({columns}) SELECT * FROM incoming "
        f"ON CONFLICT ({', '.join(spec.key)}) {action}"
    )
    head = f"WITH incoming AS ({spec.incoming})"
    if spec.kind in TOUCHED_DAYS:
        key_match = " AND ".join(f"o.{c} = n.{c}" for c in spec.key)
        return f"""{head},
            up AS ({upsert} RETURNING t.*),
            changed AS (
                SELECT o.*, i.timezone AS tz FROM {spec.table} o
                    JOIN up n ON {key_match} JOIN importers i ON i.id = o.importer_id
                UNION ALL
                SELECT n.*, i.timezone FROM up n JOIN importers i ON i.id = n.importer_id
            )
            INSERT INTO dirty_days (importer_id, domain, day)
            SELECT DISTINCT * FROM ({TOUCHED_DAYS[spec.kind]}) AS touched (importer_id, domain, day)
            ON CONFLICT (importer_id, domain, day)
            DO UPDATE SET version = dirty_days.version + 1"""
    if spec.kind in REBUILD_ALL:
        mark = _MARK_REBUILD.format(ids=REBUILD_ALL[spec.kind])
        return f"{head}, up AS ({upsert} RETURNING t.*) {mark}"
    return f"{head} {upsert}"


_RULE = "make, model, year_from, year_to, include"

# Importers whose staged rule set differs (as a multiset) from the stored one.
_CHANGED_RULE_SETS = f"""
    SELECT n.importer_id FROM (SELECT DISTINCT importer_id FROM {STAGE}) n
    WHERE EXISTS (
        (SELECT {_RULE} FROM {STAGE} s WHERE s.importer_id = n.importer_id
         EXCEPT ALL
         SELECT {_RULE} FROM eligibility_rules r WHERE r.importer_id = n.importer_id)
        UNION ALL
        (SELECT {_RULE} FROM eligibility_rules r WHERE r.importer_id = n.importer_id
         EXCEPT ALL
         SELECT {_RULE} FROM {STAGE} s WHERE s.importer_id = n.importer_id)
    )"""


async def replace_rules(conn: Any) -> None:
    """A rules file is the whole rule set of each importer it names. Sets that
    are already equal stay untouched, so sending a file again changes nothing."""
    changed = [row[0] for row in await conn.fetch(_CHANGED_RULE_SETS)]
    if not changed:
        return
    await conn.execute("DELETE FROM eligibility_rules WHERE importer_id = ANY($1::int4[])", changed)
    await conn.execute(
        f"""INSERT INTO eligibility_rules (importer_id, {_RULE})
            SELECT importer_id, {_RULE} FROM {STAGE}
            WHERE importer_id = ANY($1::int4[]) ORDER BY line""",
        changed,
    )
    await conn.execute(
        _MARK_REBUILD.format(ids="SELECT unnest($1::int4[])"),
        changed,
    )
