"""Ready-to-use development tokens, one per role, for the first importer's data
(what `make run` prints)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.principal import Role
from server.auth.tokens import mint_token
from server.config import Settings


@dataclass(frozen=True)
class DemoToken:
    """One ready token: its role, the scope it names (for people) and the JWT."""

    role: str
    scope: str
    token: str


async def demo_tokens(engine: AsyncEngine, settings: Settings) -> list[str]:
    """The lines `make run` prints."""
    found = await demo_token_list(engine, settings)
    if found is None:
        return ["no importer loaded yet: run `insights demo` or ingest data"]
    importer, tokens = found
    lines = [f"Tokens for importer '{importer}' (valid 8 hours; header: Authorization: Bearer …):"]
    lines += [f"  {t.role}{f' ({t.scope})' if t.scope else ''}:\n    {t.token}" for t in tokens]
    return lines


async def demo_token_list(
    engine: AsyncEngine, settings: Settings
) -> tuple[str, list[DemoToken]] | None:
    """(importer_ref, one token per role) for the first importer, None without one."""
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
            return None
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
    tokens: list[DemoToken] = []
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
            scope = f"workshops {', '.join(workshops)}"
        elif role is Role.SALES_PARTNER:
            scope = f"partner {partner}"
        tokens.append(DemoToken(role.value, scope, jwt))
    return imp_ref, tokens
