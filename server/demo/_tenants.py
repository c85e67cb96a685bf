"""The two demo importers: a Danish importer with many workshops of varied size,
and a small Finnish one whose data must never show up in the first one's views."""

from __future__ import annotations

import random
from datetime import date, timedelta

from server.demo._profiles import PartnerProfile, Rule, TenantSpec, VehicleLine, WorkshopProfile
from server.demo._scale import (
    DEMO_IMPORTER,
    FEED_LAG_DAYS,
    LAGGING_WORKSHOP,
    OTHER_IMPORTER,
    DemoScale,
)

DK_CITIES = (
    "København", "Aarhus", "København", "Odense", "Aalborg", "Esbjerg", "Randers",
    "Kolding", "Horsens", "Vejle", "Roskilde", "Herning", "Silkeborg", "Næstved",
    "Fredericia", "Viborg", "Køge", "Holstebro", "Taastrup", "Slagelse", "Hillerød",
    "Sønderborg", "Svendborg", "Hjørring", "Frederikshavn", "Holbæk", "Haderslev",
    "Skive", "Ringsted", "Thisted",
)  # fmt: skip
DK_HOUSES = ("Bilhuset", "Autohuset", "Motorcentret", "Bilcentret", "Auto-Centrum")
DK_PARTNERS = (
    "Nordsjællands Bilsalg", "Jysk Bilhandel", "Fyns Bilcenter", "Østjysk Auto",
    "Vestkystens Biler", "Sydsjælland Motor", "Limfjordens Bilsalg", "Trekantens Auto",
)  # fmt: skip
DK_MARKETPLACES = ("Bilmarkedet", "Online Showroom", "Leasingportalen", "Flådesalg")

VOLKSWAGEN = VehicleLine(
    make="Volkswagen",
    spellings=(("Volkswagen", 0.85), ("VOLKSWAGEN", 0.1), ("volkswagen", 0.05)),
    wmi="WVW",
    models=("Golf", "Polo", "Passat", "Tiguan", "T-Roc", "ID.3", "ID.4", "up!"),
    share=0.78,
    oldest_year=2008,
)
# Rules say "Cupra", the dealer systems send "CUPRA": matching ignores case.
CUPRA = VehicleLine("Cupra", (("CUPRA", 1.0),), "VSS", ("Born", "Formentor", "Leon"), 0.12, 2018)
# Other makes serviced by the same workshops are never eligible.
FORD = VehicleLine("Ford", (("Ford", 1.0),), "WF0", ("Focus", "Fiesta", "Kuga"), 0.1, 2006)

DK_RULES = (
    Rule("Volkswagen", include=True),
    Rule("Cupra", include=True),
    Rule("Volkswagen", include=False, year_to=2015),
    Rule("Volkswagen", include=False, model="up!"),
)


def _size(index: int, count: int, rng: random.Random) -> float:
    big = max(1, round(count * 0.12))
    medium = big + max(1, round(count * 0.2))
    if index < big:
        return rng.uniform(17, 25)
    if index < medium:
        return rng.uniform(8, 13)
    return rng.uniform(2, 6)


def _demo_workshop(index: int, count: int, rng: random.Random) -> WorkshopProfile:
    ref = f"DK-W{index + 1:03d}"
    city = DK_CITIES[index % len(DK_CITIES)]
    house = DK_HOUSES[index % len(DK_HOUSES)]
    size = _size(index, count, rng)
    lap, place = divmod(index, len(DK_CITIES))
    district = {0: " Nord", 2: " Syd"}.get(place, "")  # two big workshops in the capital
    name = f"{house} {city}{district}" + (f" {lap + 1}" if lap else "")
    return WorkshopProfile(
        ref=ref,
        name=name,
        city=city,
        visits_per_day=size,
        goal=(0.5, None, 0.7, None, 0.65, None, None)[index % 7],
        # One workshop rarely invites anyone: the dashboard should show a laggard.
        invite_share=0.12 if index == count - 2 else rng.uniform(0.35, 0.9),
        activation_share=rng.uniform(0.55, 0.9),
        response_minutes=rng.choice((8, 15, 25, 40, 90)),
        staff=min(8, 2 + int(size // 5)),
        staff_engagement=rng.uniform(0.35, 0.9),
        campaigns_per_month=rng.choice((0, 0.5, 1, 2, 3, 4)),
        feed_lag_days=FEED_LAG_DAYS if ref == LAGGING_WORKSHOP else 0,
        dormant_days=45 if index == count - 1 else 0,
    )


def _partner(
    index: int, name: str, prefix: str, workshop_ref: str | None, since: date, rng: random.Random
) -> PartnerProfile:
    return PartnerProfile(
        ref=f"{prefix}-P{index + 1:02d}",
        name=name,
        workshop_ref=workshop_ref,
        since=since,
        weight=rng.uniform(0.5, 2.0),
        accept_share=rng.uniform(0.35, 0.8),
        decline_share=rng.uniform(0.1, 0.4),
        response_hours=rng.choice((0.3, 1, 2, 5, 12)),
        contact_hours=rng.choice((1, 3, 8, 24, 48)),
        feedback_share=rng.uniform(0.45, 0.95),
        feedback_persistence=rng.uniform(0.4, 0.85),
        close_share=rng.uniform(0.6, 0.9),
        win_share=rng.uniform(0.2, 0.55),
        cycle_days=rng.choice((7, 14, 21, 35)),
    )


def _demo_partners(scale: DemoScale, end: date, rng: random.Random) -> tuple[PartnerProfile, ...]:
    # Two partners are also workshops: the first big city one and the third.
    linked = {0: "DK-W001", 1: f"DK-W{min(3, scale.workshops):03d}"}
    partners = []
    for index in range(scale.partners):
        name = DK_PARTNERS[index % len(DK_PARTNERS)]
        if index >= len(DK_PARTNERS):
            name += f" {index // len(DK_PARTNERS) + 1}"
        since = date(2018 + index % 6, 1 + (index * 5) % 12, 1)
        if index == scale.partners - 1:
            # The newest partner joined inside the window: a short history.
            since = end - timedelta(days=max(1, scale.days // 3))
        partners.append(_partner(index, name, "DK", linked.get(index), since, rng))
    return tuple(partners)


def demo_tenant(scale: DemoScale, end: date, seed: int) -> TenantSpec:
    rng = random.Random(f"{seed}:{DEMO_IMPORTER}:profiles")
    workshops = tuple(_demo_workshop(i, scale.workshops, rng) for i in range(scale.workshops))
    marketplaces = tuple(
        (f"DK-M{n + 1}", DK_MARKETPLACES[n % len(DK_MARKETPLACES)] + ("" if n < 4 else f" {n}"))
        for n in range(scale.marketplaces)
    )
    return TenantSpec(
        importer_ref=DEMO_IMPORTER,
        name="Demo Motor Import Danmark",
        timezone="Europe/Copenhagen",
        goal=0.6,
        lead_due_days=30,
        lead_rating=True,
        customer_rating=False,
        prefix="DK",
        vin_plant="D",
        days=scale.days,
        factor=scale.factor,
        workshops=workshops,
        partners=_demo_partners(scale, end, rng),
        marketplaces=marketplaces,
        rules=DK_RULES,
        lines=(VOLKSWAGEN, CUPRA, FORD),
        importer_leads_per_day=3.0 * scale.workshops / 25,
    )


SKODA = VehicleLine(
    "Skoda", (("Skoda", 0.9), ("SKODA", 0.1)), "TMB", ("Octavia", "Fabia", "Kodiaq", "Enyaq"), 1.0,
    2010,
)  # fmt: skip


def other_tenant(end: date, seed: int) -> TenantSpec:
    """A second, small importer in another timezone (3 workshops, 2 partners)."""
    rng = random.Random(f"{seed}:{OTHER_IMPORTER}:profiles")
    cities = ("Helsinki", "Tampere", "Turku")
    workshops = tuple(
        WorkshopProfile(
            ref=f"FI-W{i + 1:03d}",
            name=f"Autotalo {city}",
            city=city,
            visits_per_day=(7.0, 4.0, 3.0)[i],
            goal=None,
            invite_share=rng.uniform(0.4, 0.8),
            activation_share=rng.uniform(0.6, 0.85),
            response_minutes=30,
            staff=3,
            staff_engagement=0.6,
            campaigns_per_month=1,
        )
        for i, city in enumerate(cities)
    )
    partners = (
        _partner(0, "Helsingin Autokauppa", "FI", "FI-W001", date(2020, 3, 1), rng),
        _partner(1, "Pirkanmaan Auto", "FI", None, date(2021, 9, 1), rng),
    )
    return TenantSpec(
        importer_ref=OTHER_IMPORTER,
        name="Other Auto Import Oy",
        timezone="Europe/Helsinki",
        goal=0.5,
        lead_due_days=21,
        lead_rating=False,
        customer_rating=True,
        prefix="FI",
        vin_plant="H",
        days=60,
        factor=1.0,
        workshops=workshops,
        partners=partners,
        marketplaces=(("FI-M1", "Autotori"),),
        rules=(Rule("Skoda", include=True, year_from=2015),),
        lines=(SKODA,),
        importer_leads_per_day=0.5,
    )
