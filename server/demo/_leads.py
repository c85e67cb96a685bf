"""Sales leads: created by workshops (and by the importer's own channels), sent
through a marketplace to a few partners or assigned directly to one, and worked
on by whoever accepted them."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from server.demo._clock import Clock
from server.demo._draw import business_seconds, hours, load, poisson
from server.demo._kinds import Dataset
from server.demo._lead_events import lead_events
from server.demo._lead_offers import resolve_offers
from server.demo._profiles import PartnerProfile, TenantSpec, WorkshopProfile

LEADS_PER_VISIT = 0.06
MARKETPLACE_SHARE = {True: 0.55, False: 0.8}  # by whether a workshop created the lead
EXCLUSIVE_SHARE = 0.25  # of marketplace leads, offered to one partner only


def _pick_partners(
    rng: random.Random, candidates: list[PartnerProfile], count: int
) -> list[PartnerProfile]:
    """``count`` distinct partners, favouring the ones the importer trusts most."""
    pool, chosen = list(candidates), list[PartnerProfile]()
    while pool and len(chosen) < count:
        partner = rng.choices(pool, weights=[p.weight for p in pool])[0]
        pool.remove(partner)
        chosen.append(partner)
    return chosen


def _recipients(
    rng: random.Random,
    spec: TenantSpec,
    day: date,
    shop: WorkshopProfile | None,
    market: bool,
    exclusive: bool,
) -> list[PartnerProfile]:
    candidates = [p for p in spec.partners if p.since <= day]
    own = [p for p in candidates if shop is not None and p.workshop_ref == shop.ref]
    if not market and own:
        return own  # a workshop that is also a partner keeps its own direct leads
    if not market or exclusive:
        return _pick_partners(rng, candidates, 1)
    return _pick_partners(rng, candidates, rng.randint(2, 4))


class _LeadWriter:
    def __init__(self, spec: TenantSpec, clock: Clock, data: Dataset, rng: random.Random) -> None:
        self.spec, self.clock, self.data, self.rng = spec, clock, data, rng
        self.number = 0

    def lead(self, day: date, shop: WorkshopProfile | None) -> None:
        rng, clock = self.rng, self.clock
        self.number += 1
        lead_ref = f"{self.spec.prefix}-L{self.number:06d}"
        created = clock.at(day, business_seconds(rng, *((8, 18) if shop else (6, 23))))
        market = rng.random() < MARKETPLACE_SHARE[shop is not None]
        exclusive = market and rng.random() < EXCLUSIVE_SHARE
        marketplaces = self.spec.marketplaces
        market_ref = rng.choices(marketplaces, weights=range(len(marketplaces), 0, -1))[0][0]
        self.data.add(
            "leads",
            lead_ref=lead_ref,
            importer_ref=self.spec.importer_ref,
            created_at=clock.render(created),
            source="MARKETPLACE" if market else "DIRECT",
            marketplace_ref=market_ref if market else None,
            exclusive=exclusive,
            workshop_ref=shop.ref if shop else None,
        )
        offered = created + timedelta(minutes=rng.uniform(1, 30) if market else rng.uniform(5, 180))
        partners = _recipients(rng, self.spec, day, shop, market, exclusive)
        self.offers(lead_ref, offered, partners, "MARKETPLACE" if market else "DIRECT")

    def offers(
        self, lead_ref: str, offered: datetime, partners: list[PartnerProfile], source: str
    ) -> None:
        if self.clock.known(offered) is None:
            return
        expires = offered + hours(72 if source == "MARKETPLACE" else 120)
        for offer in resolve_offers(self.rng, self.clock, partners, offered, expires):
            self.data.add(
                "lead_offers",
                lead_ref=lead_ref,
                partner_ref=offer.partner.ref,
                offered_at=self.clock.render(offered),
                expires_at=self.clock.render(self.clock.known(expires)),
                response=offer.response,
                responded_at=self.clock.render(offer.responded),
            )
            if offer.response == "ACCEPTED" and offer.responded is not None:
                self.events(lead_ref, offer.partner, offer.responded, source)

    def events(self, lead_ref: str, partner: PartnerProfile, accepted: datetime, src: str) -> None:
        for at, kind, value in lead_events(self.rng, self.spec, self.clock, partner, accepted, src):
            self.data.add(
                "lead_events",
                lead_ref=lead_ref,
                partner_ref=partner.ref,
                occurred_at=self.clock.render(at),
                kind=kind,
                value=value,
            )


def add_leads(spec: TenantSpec, clock: Clock, data: Dataset, seed: int) -> None:
    writer = _LeadWriter(spec, clock, data, random.Random(f"{seed}:{spec.importer_ref}:leads"))
    for day in clock.days:
        busy = load(day) * spec.factor
        for shop in spec.workshops:
            for _ in range(poisson(writer.rng, shop.visits_per_day * LEADS_PER_VISIT * busy)):
                writer.lead(day, shop)
        for _ in range(poisson(writer.rng, spec.importer_leads_per_day * busy)):
            writer.lead(day, None)
