"""An importer's eligibility rules as one plain SQL expression over a vehicle row.

DOMAIN.md: a vehicle is eligible when at least one include rule matches (or there
are none) and no exclude rule does. Written as EXISTS subqueries over
``eligibility_rules``, that test ran four correlated subplans per visit: at 500
workshops x 365 days, 3.3 M scans of the rule table, most of the workshop
rebuild. An importer has a handful of rules, so processing reads them once and
spells each out as comparisons with bound values, which costs a few operator
calls per row and lets the planner join vehicles by hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True)
class Rule:
    make: str
    model: str | None
    year_from: int | None
    year_to: int | None
    include: bool


@dataclass(frozen=True)
class Eligibility:
    """``expression`` is true for an eligible vehicle ``v``, false otherwise (never
    null); ``params`` binds its values."""

    expression: str
    params: dict[str, Any]


async def importer_rules(conn: AsyncConnection, importer_id: int) -> list[Rule]:
    rows = await conn.execute(
        text(
            """SELECT make, model, year_from, year_to, include FROM eligibility_rules
               WHERE importer_id = :i ORDER BY id"""
        ),
        {"i": importer_id},
    )
    return [Rule(*row) for row in rows]


def _match(rule: Rule, n: int, params: dict[str, Any]) -> str:
    """Rule ``n`` matches ``v``: a condition per field the rule sets (a vehicle's
    make, model and model year are never null, so the conditions never are)."""
    params[f"rule{n}_make"] = rule.make
    terms = [f"lower(v.make) = lower(CAST(:rule{n}_make AS text))"]
    for field, column, op in (
        ("model", "v.model", "="),
        ("year_from", "v.model_year", ">="),
        ("year_to", "v.model_year", "<="),
    ):
        value = getattr(rule, field)
        if value is not None:
            params[f"rule{n}_{field}"] = value
            cast = "text" if field == "model" else "int"
            terms.append(f"{column} {op} CAST(:rule{n}_{field} AS {cast})")
    return f"({' AND '.join(terms)})"


def eligibility(rules: list[Rule]) -> Eligibility:
    """The test of DOMAIN.md for ``rules`` as an expression over ``v`` (vehicles)."""
    params: dict[str, Any] = {}
    included = [_match(r, n, params) for n, r in enumerate(rules) if r.include]
    excluded = [_match(r, n, params) for n, r in enumerate(rules) if not r.include]
    include = f"({' OR '.join(included)})" if included else "true"
    exclude = f"NOT ({' OR '.join(excluded)})" if excluded else "true"
    return Eligibility(f"({include} AND {exclude})", params)
