"""A partner's work on an accepted lead: first contact, feedback that may fall
silent, a WON or LOST outcome after a sales cycle (or none yet), and ratings
where the importer has enabled them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from server.demo._clock import Clock
from server.demo._draw import hours, skewed
from server.demo._profiles import PartnerProfile, TenantSpec

Event = tuple[datetime, str, int | None]

LEAD_RATING_WEIGHTS = {"MARKETPLACE": (5, 12, 28, 35, 20), "DIRECT": (2, 6, 20, 40, 32)}
CUSTOMER_RATING_WEIGHTS = {"WON": (2, 4, 12, 37, 45), "LOST": (15, 20, 30, 25, 10)}


def _rating(rng: random.Random, weights: tuple[int, ...]) -> int:
    return rng.choices(range(1, 6), weights=weights)[0]


def _feedback(
    rng: random.Random, partner: PartnerProfile, accepted: datetime, until: datetime
) -> list[Event]:
    if rng.random() >= partner.feedback_share:
        return []
    events: list[Event] = []
    at = accepted + hours(skewed(rng, 30, 0.9))
    while at < until and len(events) < 20:
        events.append((at, "FEEDBACK", None))
        if rng.random() >= partner.feedback_persistence:
            break  # the partner falls silent
        at += timedelta(days=rng.uniform(4, 16))
    return events


def lead_events(
    rng: random.Random,
    spec: TenantSpec,
    clock: Clock,
    partner: PartnerProfile,
    accepted: datetime,
    source: str,
) -> list[Event]:
    """The events known by the end of the window, oldest first."""
    closed = None
    if rng.random() < partner.close_share:
        closed = accepted + timedelta(days=skewed(rng, partner.cycle_days, 0.6))
    events = _feedback(rng, partner, accepted, closed or clock.limit)
    if rng.random() < 0.92:
        contact = accepted + hours(skewed(rng, partner.contact_hours, 0.8))
        if closed is not None and contact >= closed:
            contact = accepted + (closed - accepted) / 2
        events.append((contact, "FIRST_CONTACT", None))
    if spec.lead_rating and rng.random() < 0.65:
        rated = accepted + hours(rng.uniform(2, 72))
        events.append((rated, "LEAD_RATING", _rating(rng, LEAD_RATING_WEIGHTS[source])))
    if closed is not None:
        outcome = "WON" if rng.random() < partner.win_share else "LOST"
        events.append((closed, outcome, None))
        if spec.customer_rating and rng.random() < (0.6 if outcome == "WON" else 0.2):
            rated = closed + timedelta(days=rng.uniform(1, 10))
            events.append(
                (rated, "CUSTOMER_RATING", _rating(rng, CUSTOMER_RATING_WEIGHTS[outcome]))
            )
    known = [event for event in events if clock.known(event[0]) is not None]
    return sorted(known, key=lambda event: (event[0], event[1]))
