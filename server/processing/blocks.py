"""Write the copy blocks (``server/models/copy_blocks.py``) of the days a run
rebuilt: one ``INSERT ... SELECT`` per kind, inside the run's transaction, so
the blocks and the rollups they copy commit together, and no row passes
through Python. A run after one that wrote no blocks (or a database from before
them) writes every block of the importer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from server.models.copy_blocks import PARTNER_LAYOUTS, WORKSHOP_LAYOUTS, BlockLayout

_CHOSEN = "(CAST(:days AS date[]) IS NULL OR day = ANY(CAST(:days AS date[])))"


def _field(name: str, layout: BlockLayout) -> str:
    """The bytes of one field of a record (big-endian, fixed width)."""
    if name == "source":
        return "int2send(CAST(array_position(l.labels, r.source) - 1 AS int2))"
    if name == "exclusive":
        return "boolsend(r.exclusive)"
    if name == "marketplace_id":
        return "int4send(coalesce(r.marketplace_id, -1))"  # ids are positive
    if name in layout.floating:
        return f"float8send(CAST(r.{name} AS float8))"
    return f"int4send(CAST(r.{name} AS int4))"


def _record(layout: BlockLayout) -> str:
    return " || ".join(_field(f, layout) for f in (*layout.keys, *layout.columns))


def insert_sql(layout: BlockLayout) -> str:
    """The statement writing ``layout``'s blocks of ``:days`` (NULL: every day)."""
    head = (
        "INSERT INTO copy_blocks (importer_id, kind, day, version, rows, labels, payload)"
        f" SELECT :i, '{layout.kind}', r.day, :v, count(*), {{labels}},"
        f" string_agg({_record(layout)}, ''::bytea)"
    )
    where = f"importer_id = :i AND {_CHOSEN}"
    if layout.users is not None:
        return (
            head.format(labels="NULL")
            + " FROM (SELECT workshop_id, day, unnest(user_ids) AS user_id"
            f" FROM workshop_day_users WHERE {where} AND kind = '{layout.users}') AS r"
            " GROUP BY r.day"
        )
    if "source" not in layout.keys:
        return (
            head.format(labels="NULL") + f" FROM {layout.table} AS r WHERE {where} GROUP BY r.day"
        )
    keys = ", ".join(layout.keys)
    sums = ", ".join(f"sum({c}) AS {c}" for c in layout.columns)
    return (
        head.format(labels="l.labels")
        + f" FROM (SELECT {keys}, day, {sums} FROM {layout.table} WHERE {where}"
        f" GROUP BY {keys}, day) AS r"
        " JOIN (SELECT day, array_agg(DISTINCT source ORDER BY source) AS labels"
        f" FROM {layout.table} WHERE {where} GROUP BY day) AS l ON l.day = r.day"
        " GROUP BY r.day, l.labels"
    )


async def write_blocks(
    conn: AsyncConnection,
    importer_id: int,
    workshop_days: Sequence[date] | None,
    partner_days: Sequence[date] | None,
) -> None:
    """Rewrite the blocks of the days a run rebuilt (None: every day), after
    the run bumped the data version, and mark them complete for that version."""
    versions = (
        await conn.execute(
            text(
                "SELECT data_version, blocks_version FROM processing_state WHERE importer_id = :i"
            ),
            {"i": importer_id},
        )
    ).one()
    version, complete = int(versions[0]), versions[1]
    if complete != version - 1:  # the blocks before this run are not whole: write them all
        workshop_days = partner_days = None
    for layouts, days in ((WORKSHOP_LAYOUTS, workshop_days), (PARTNER_LAYOUTS, partner_days)):
        if days is not None and not days:
            continue
        params = {
            "i": importer_id,
            "v": version,
            "days": None if days is None else sorted(set(days)),
        }
        kinds = [layout.kind for layout in layouts]
        await conn.execute(
            text(
                "DELETE FROM copy_blocks WHERE importer_id = :i AND kind = ANY(:kinds)"
                f" AND {_CHOSEN}"
            ),
            {**params, "kinds": kinds},
        )
        for layout in layouts:
            await conn.execute(text(insert_sql(layout)), params)
    await conn.execute(
        text("UPDATE processing_state SET blocks_version = :v WHERE importer_id = :i"),
        {"i": importer_id, "v": version},
    )
