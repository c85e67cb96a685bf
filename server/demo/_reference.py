"""Reference rows of one importer: the importer, its workshops, eligibility
rules, marketplaces and sales partners."""

from __future__ import annotations

from server.demo._kinds import Dataset
from server.demo._profiles import TenantSpec


def add_reference(spec: TenantSpec, data: Dataset) -> None:
    ref = spec.importer_ref
    data.add(
        "importers",
        importer_ref=ref,
        name=spec.name,
        timezone=spec.timezone,
        connection_rate_goal=spec.goal,
        lead_due_days=spec.lead_due_days,
        lead_rating_enabled=spec.lead_rating,
        customer_rating_enabled=spec.customer_rating,
    )
    for shop in spec.workshops:
        data.add(
            "workshops",
            workshop_ref=shop.ref,
            importer_ref=ref,
            name=shop.name,
            city=shop.city,
            connection_rate_goal=shop.goal,
        )
    for rule in spec.rules:
        data.add(
            "eligibility_rules",
            importer_ref=ref,
            make=rule.make,
            model=rule.model,
            year_from=rule.year_from,
            year_to=rule.year_to,
            include=rule.include,
        )
    for market_ref, market_name in spec.marketplaces:
        data.add("marketplaces", marketplace_ref=market_ref, importer_ref=ref, name=market_name)
    for partner in spec.partners:
        data.add(
            "sales_partners",
            partner_ref=partner.ref,
            importer_ref=ref,
            name=partner.name,
            workshop_ref=partner.workshop_ref,
            partner_since=partner.since.isoformat(),
        )
