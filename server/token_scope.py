"""Before `insights token` mints anything: the importer, workshops and partner
it names must exist, or the token would open an empty dashboard that looks
like a bug instead of a typo."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.errors import BadUserInput


async def check_token_scope(
    engine: AsyncEngine, importer: str, workshops: Sequence[str], partner: str | None
) -> None:
    """Raises BadUserInput naming the first ref that does not exist."""
    async with engine.connect() as conn:
        importer_id = (
            await conn.execute(
                text("SELECT id FROM importers WHERE importer_ref = :r"), {"r": importer}
            )
        ).scalar()
        if importer_id is None:
            raise BadUserInput(f"unknown importer '{importer}': no importer has that importer_ref")
        known = set(
            (
                await conn.execute(
                    text(
                        "SELECT workshop_ref FROM workshops "
                        "WHERE importer_id = :i AND workshop_ref = ANY(:refs)"
                    ),
                    {"i": importer_id, "refs": list(workshops)},
                )
            ).scalars()
        )
        for ref in workshops:
            if ref not in known:
                raise BadUserInput(f"unknown workshop '{ref}' in importer '{importer}'")
        if partner is not None:
            found = (
                await conn.execute(
                    text(
                        "SELECT 1 FROM sales_partners WHERE importer_id = :i AND partner_ref = :r"
                    ),
                    {"i": importer_id, "r": partner},
                )
            ).scalar()
            if found is None:
                raise BadUserInput(f"unknown partner '{partner}' in importer '{importer}'")
