"""Vehicles and their workshop visits, as the dealer systems report them.

Cars return to their workshop now and then (so an activation from an earlier
visit connects the later ones), stay a few hours to three days, and follow the
working week. The simulation keeps every true visit for the connection funnel;
only what the feeds have delivered by the end of the window becomes a row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from server.demo._clock import Clock
from server.demo._draw import business_seconds, hours, load, poisson
from server.demo._kinds import Dataset
from server.demo._profiles import TenantSpec, VehicleLine, WorkshopProfile, eligible
from server.demo._vin import make_vin

RETURN_SHARE = 0.45  # of visits by a car seen before
ROAMING_SHARE = 0.05  # of returning cars that come from another workshop
MIN_RETURN_GAP = timedelta(days=14)


@dataclass
class Car:
    vin: str
    eligible: bool
    last_departure: datetime | None = None


@dataclass(frozen=True)
class Visit:
    car: Car
    shop: WorkshopProfile
    arrived: datetime
    departed: datetime  # the true departure, possibly after the window


@dataclass
class _Fleet:
    spec: TenantSpec
    data: Dataset
    rng: random.Random
    cars: list[Car] = field(default_factory=list)
    by_shop: dict[str, list[Car]] = field(default_factory=dict)

    def new_car(self, this_year: int) -> Car:
        line: VehicleLine = self.rng.choices(
            self.spec.lines, weights=[line.share for line in self.spec.lines]
        )[0]
        model_index = self.rng.randrange(len(line.models))
        model = line.models[model_index]
        # Newer cars visit authorised workshops more often.
        age = min(int(self.rng.expovariate(1 / 5)), this_year - line.oldest_year)
        year = this_year - age
        spellings, weights = zip(*line.spellings, strict=True)
        make = self.rng.choices(spellings, weights=weights)[0]
        serial = len(self.cars) + 1
        vin = make_vin(line.wmi, model_index, year, self.spec.vin_plant, serial)
        self.data.add(
            "vehicles",
            vin=vin,
            importer_ref=self.spec.importer_ref,
            make=make,
            model=model,
            model_year=year,
        )
        car = Car(vin, eligible(self.spec.rules, make, model, year))
        self.cars.append(car)
        return car

    def pick_car(self, shop: WorkshopProfile, arrived: datetime) -> Car:
        seen = self.by_shop.setdefault(shop.ref, [])
        if self.rng.random() < RETURN_SHARE and seen:
            pool = self.cars if self.rng.random() < ROAMING_SHARE else seen
            car = pool[self.rng.randrange(len(pool))]
            if car.last_departure is not None and car.last_departure + MIN_RETURN_GAP < arrived:
                return car
        car = self.new_car(arrived.year)
        seen.append(car)
        return car


def _stay(rng: random.Random, clock: Clock, day: date, arrived: datetime) -> datetime:
    roll = rng.random()
    if roll < 0.62:
        same_day = arrived + hours(rng.uniform(1.5, 8))
        closing = clock.at(day, 18.5 * 3600)
        return same_day if same_day < closing else clock.at(day, business_seconds(rng, 15, 18))
    later = 1 if roll < 0.87 else 2 if roll < 0.96 else 3
    return clock.at(day + timedelta(days=later), business_seconds(rng, 8, 18))


def _arrival(rng: random.Random, clock: Clock, day: date) -> datetime:
    if rng.random() < 0.8:
        return clock.at(day, business_seconds(rng, 7, 10.5))
    return clock.at(day, business_seconds(rng, 10.5, 15))


def simulate_visits(spec: TenantSpec, clock: Clock, data: Dataset, seed: int) -> list[Visit]:
    """Generate vehicles and visits; returns every true visit, delivered or not."""
    rng = random.Random(f"{seed}:{spec.importer_ref}:fleet")
    fleet = _Fleet(spec, data, rng)
    visits: list[Visit] = []
    for day in clock.days:
        for shop in spec.workshops:
            count = poisson(rng, shop.visits_per_day * load(day) * spec.factor)
            if shop.feed_lag_days and day == clock.end - timedelta(days=shop.feed_lag_days):
                count = max(count, 1)  # the lagging feed's last day must show a visit
            for _ in range(count):
                arrived = _arrival(rng, clock, day)
                car = fleet.pick_car(shop, arrived)
                departed = _stay(rng, clock, day, arrived)
                car.last_departure = departed
                visits.append(Visit(car, shop, arrived, departed))
    _add_visit_rows(spec, clock, data, visits)
    return visits


def _add_visit_rows(spec: TenantSpec, clock: Clock, data: Dataset, visits: list[Visit]) -> None:
    for number, visit in enumerate(visits, start=1):
        # What the dealer system has delivered: up to the end, or earlier if it lags.
        delivered = clock.at(clock.end - timedelta(days=visit.shop.feed_lag_days - 1), 0)
        if visit.arrived >= delivered:
            continue
        departed = visit.departed if visit.departed < delivered else None
        data.add(
            "visits",
            visit_ref=f"{spec.prefix}-V{number:07d}",
            workshop_ref=visit.shop.ref,
            vin=visit.car.vin,
            arrived_at=clock.render(visit.arrived),
            departed_at=clock.render(departed),
        )
