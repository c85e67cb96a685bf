"""The connection funnel: workshops invite customers of departing, eligible cars
to connect; most complete the flow within days, some only after the 7-day grace
period, some never, and a few disconnect later. Workshops get better at it over
the window, so the connection-rate trend points up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.demo._clock import Clock
from server.demo._draw import hours
from server.demo._fleet import Visit
from server.demo._kinds import Dataset
from server.demo._profiles import TenantSpec

REINVITE_AFTER = timedelta(days=60)  # an unanswered invitation is not repeated sooner
DEACTIVATION_SHARE = 0.07


@dataclass(frozen=True)
class Activation:
    workshop_ref: str
    activated: datetime
    deactivated: datetime | None  # None: still connected at the end of the window


@dataclass
class _CarState:
    last_invite: datetime | None = None
    connected_from: datetime | None = None
    connected_until: datetime | None = None

    def connected_at(self, instant: datetime) -> bool:
        return (
            self.connected_from is not None
            and self.connected_from <= instant
            and (self.connected_until is None or instant < self.connected_until)
        )


def _activation_delay(rng: random.Random) -> timedelta:
    roll = rng.random()
    if roll < 0.4:
        return timedelta(minutes=rng.uniform(2, 60))  # done together with the staff
    if roll < 0.75:
        return hours(rng.uniform(1, 72))
    if roll < 0.9:
        return timedelta(days=rng.uniform(3, 7))
    return timedelta(days=rng.uniform(7, 11))  # too late for the grace period


def _invited_at(rng: random.Random, visit: Visit) -> datetime:
    if rng.random() < 0.5:  # at checkout
        return max(visit.arrived, visit.departed - timedelta(minutes=rng.uniform(0, 40)))
    return visit.departed + hours(rng.uniform(0.1, 48))  # a follow-up message


def simulate_activations(
    spec: TenantSpec, clock: Clock, data: Dataset, visits: list[Visit], seed: int
) -> list[Activation]:
    """Add activation rows; returns the activations completed inside the window."""
    rng = random.Random(f"{seed}:{spec.importer_ref}:funnel")
    states: dict[str, _CarState] = {}
    completed: list[Activation] = []
    for visit in sorted(visits, key=lambda v: v.departed):
        state = states.setdefault(visit.car.vin, _CarState())
        if not visit.car.eligible or state.connected_at(visit.departed):
            continue
        if state.last_invite is not None and visit.departed - state.last_invite < REINVITE_AFTER:
            continue
        progress = clock.index(clock.day_of(visit.departed)) / max(1, spec.days - 1)
        if rng.random() >= visit.shop.invite_share * (0.8 + 0.35 * progress):
            continue
        invited = _invited_at(rng, visit)
        if clock.known(invited) is None:
            continue
        state.last_invite = invited
        activated = deactivated = None
        if rng.random() < visit.shop.activation_share:
            activated = invited + _activation_delay(rng)
            if rng.random() < DEACTIVATION_SHARE:
                deactivated = activated + timedelta(days=rng.uniform(20, 300))
            state.connected_from, state.connected_until = activated, deactivated
        data.add(
            "activations",
            vin=visit.car.vin,
            workshop_ref=visit.shop.ref,
            invited_at=clock.render(invited),
            activated_at=clock.render(clock.known(activated)),
            deactivated_at=clock.render(clock.known(deactivated)),
        )
        if clock.known(activated) is not None and activated is not None:
            completed.append(Activation(visit.shop.ref, activated, clock.known(deactivated)))
    return completed
