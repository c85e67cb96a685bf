"""How workshops use the platform: chats with customers, staff activity and
marketing campaigns. One workshop's staff has stopped logging in, so the
workshop-activity list has something to flag."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from server.demo._clock import Clock
from server.demo._draw import WEEKDAY_LOAD, business_seconds, load, poisson, skewed
from server.demo._kinds import Dataset
from server.demo._profiles import TenantSpec, WorkshopProfile

CHATS_PER_VISIT = 0.25
CAMPAIGN_WORKDAYS_PER_MONTH = 21.75


def _first_response(
    rng: random.Random, clock: Clock, shop: WorkshopProfile, started: datetime
) -> datetime | None:
    if rng.random() < 0.1:
        return None  # never answered
    local = started.astimezone(clock.tz)
    if local.hour >= 17:  # answered when the workshop opens the next morning
        return clock.at(local.date() + timedelta(days=1), business_seconds(rng, 7.5, 9.5))
    return started + timedelta(minutes=skewed(rng, shop.response_minutes))


def add_chats(spec: TenantSpec, clock: Clock, data: Dataset, seed: int) -> None:
    rng = random.Random(f"{seed}:{spec.importer_ref}:chats")
    number = 0
    for day in clock.days:
        for shop in spec.workshops:
            mean = shop.visits_per_day * CHATS_PER_VISIT * load(day) * spec.factor
            for _ in range(poisson(rng, mean)):
                number += 1
                evening = rng.random() < 0.25
                started = clock.at(day, business_seconds(rng, *((17, 22) if evening else (8, 17))))
                messages = 1 + min(29, int(rng.expovariate(1 / 5)))
                answer = _first_response(rng, clock, shop, started) if messages > 1 else None
                data.add(
                    "chats",
                    conversation_ref=f"{spec.prefix}-CH{number:06d}",
                    workshop_ref=shop.ref,
                    started_at=clock.render(started),
                    messages=messages,
                    first_response_at=clock.render(clock.known(answer)),
                )


def _staff_member(
    rng: random.Random, clock: Clock, data: Dataset, shop: WorkshopProfile, number: int
) -> None:
    engagement = min(0.97, shop.staff_engagement * rng.uniform(0.5, 1.25))
    # The last colleague of a larger team joined partway through the window.
    joined = clock.index(clock.end) // 2 if number == shop.staff and number > 3 else 0
    stopped = clock.end - timedelta(days=shop.dormant_days)
    busy = 4 + shop.visits_per_day
    for day in clock.days[joined:]:
        if day > stopped:
            break
        if rng.random() < engagement * WEEKDAY_LOAD[day.weekday()]:
            data.add(
                "staff_activity",
                user_ref=f"{shop.ref}-S{number}",
                workshop_ref=shop.ref,
                day=day.isoformat(),
                actions=1 + poisson(rng, skewed(rng, busy, 0.5)),
            )


def add_staff_activity(spec: TenantSpec, clock: Clock, data: Dataset, seed: int) -> None:
    rng = random.Random(f"{seed}:{spec.importer_ref}:staff")
    for shop in spec.workshops:
        for number in range(1, shop.staff + 1):
            _staff_member(rng, clock, data, shop, number)


def add_campaigns(spec: TenantSpec, clock: Clock, data: Dataset, seed: int) -> None:
    rng = random.Random(f"{seed}:{spec.importer_ref}:campaigns")
    number = 0
    for day in clock.days:
        if day.weekday() >= 5:
            continue
        for shop in spec.workshops:
            chance = shop.campaigns_per_month / CAMPAIGN_WORKDAYS_PER_MONTH * spec.factor
            if rng.random() < chance:
                number += 1
                data.add(
                    "campaigns",
                    campaign_ref=f"{spec.prefix}-C{number:05d}",
                    workshop_ref=shop.ref,
                    sent_at=clock.render(clock.at(day, business_seconds(rng, 9, 15))),
                    recipients=20 + int(shop.visits_per_day * rng.uniform(15, 80)),
                )
