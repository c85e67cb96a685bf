"""End customers using the app after connecting their car: about half of them
become app users, each returning on their own rhythm until they disconnect."""

from __future__ import annotations

import random
from datetime import timedelta

from server.demo._clock import Clock
from server.demo._draw import gap_days
from server.demo._funnel import Activation
from server.demo._kinds import Dataset
from server.demo._profiles import TenantSpec

APP_USER_SHARE = 0.5
USAGE_CHANCES = (0.01, 0.02, 0.03, 0.05, 0.1)  # daily chance of opening the app


def add_app_activity(
    spec: TenantSpec, clock: Clock, data: Dataset, activations: list[Activation], seed: int
) -> None:
    rng = random.Random(f"{seed}:{spec.importer_ref}:app")
    users = 0
    for activation in activations:
        if rng.random() >= APP_USER_SHARE:
            continue
        users += 1
        user_ref = f"{spec.prefix}-A{users:06d}"
        chance = rng.choice(USAGE_CHANCES)
        last = clock.end
        if activation.deactivated is not None:
            last = min(last, clock.day_of(activation.deactivated))
        day = clock.day_of(activation.activated)  # everyone looks at the app once
        while day <= last:
            data.add(
                "app_activity",
                app_user_ref=user_ref,
                workshop_ref=activation.workshop_ref,
                day=day.isoformat(),
            )
            day += timedelta(days=gap_days(rng, chance))
