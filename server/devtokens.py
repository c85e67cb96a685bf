"""Ready-to-use development tokens, one per role, for the first importer's data
(what `make run` prints)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.principal import Role
from server.auth.tokens import mint_token
from server.config import Settings


async def demo_tokens(engine: AsyncEngine, settings: Settings) -> list[str]:
    async with engine.connect() as conn:
        importer = (
            await conn.execute(
                text(
                    "SELECT id, importer_ref FROM importers"
                    " ORDER BY importer_ref <> 'demo', id LIMIT 1"
                )
            )
        ).first()
        if importer is None:
            return ["no importer loaded yet: run `insights demo` or ingest data"]
        imp_id, imp_ref = importer
        workshops = (
            (
                await conn.execute(
                    text(
                        "SELECT workshop_ref FROM workshops WHERE importer_id = :i"
                        " ORDER BY workshop_ref LIMIT 2"
                    ),
                    {"i": imp_id},
                )
            )
            .scalars()
            .all()
        )
        partner = (
            await conn.execute(
                text(
                    "SELECT partner_ref FROM sales_partners WHERE importer_id = :i"
                    " ORDER BY partner_ref LIMIT 1"
                ),
                {"i": imp_id},
            )
        ).scalar_one_or_none()
    lines = [f"Tokens for importer '{imp_ref}' (valid 8 hours; header: Authorization: Bearer …):"]
    for role in Role:
        if role is Role.WORKSHOP and not workshops:
            continue
        if role is Role.SALES_PARTNER and partner is None:
            continue
        jwt = mint_token(
            settings,
            role=role,
            importer=imp_ref,
            workshops=list(workshops) if role is Role.WORKSHOP else (),
            partner=partner if role is Role.SALES_PARTNER else None,
        )
        scope = ""
        if role is Role.WORKSHOP:
            scope = f" (workshops {', '.join(workshops)})"
        elif role is Role.SALES_PARTNER:
            scope = f" (partner {partner})"
        lines.append(f"  {role.value}{scope}:\n    {jwt}")
    return lines
