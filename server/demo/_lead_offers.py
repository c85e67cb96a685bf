"""Who gets a lead: every offered partner would accept, decline or ignore it after
their own typical delay; the first acceptance wins, the rest of the offers lapse.
Whatever would happen after the end of the window is still PENDING."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from server.demo._clock import Clock
from server.demo._draw import hours, skewed
from server.demo._profiles import PartnerProfile


@dataclass(frozen=True)
class Offer:
    partner: PartnerProfile
    response: str  # PENDING | ACCEPTED | DECLINED | EXPIRED
    responded: datetime | None


def _intent(
    rng: random.Random, partner: PartnerProfile, offered: datetime, expires: datetime
) -> tuple[str, datetime]:
    """What the partner would do, and when, if nobody else took the lead first."""
    roll = rng.random()
    if roll >= partner.accept_share + partner.decline_share:
        return "IGNORE", expires
    at = offered + hours(skewed(rng, partner.response_hours))
    if at >= expires:
        return "IGNORE", expires
    return ("ACCEPTED" if roll < partner.accept_share else "DECLINED"), at


def resolve_offers(
    rng: random.Random,
    clock: Clock,
    partners: list[PartnerProfile],
    offered: datetime,
    expires: datetime,
) -> list[Offer]:
    intents = [(partner, *_intent(rng, partner, offered, expires)) for partner in partners]
    accepts = [
        (at, index)
        for index, (_, intent, at) in enumerate(intents)
        if intent == "ACCEPTED" and clock.known(at) is not None
    ]
    taken, winner = min(accepts) if accepts else (None, None)
    offers: list[Offer] = []
    for index, (partner, intent, at) in enumerate(intents):
        if index == winner:
            offers.append(Offer(partner, "ACCEPTED", at))
        elif intent == "DECLINED" and clock.known(at) and (taken is None or at < taken):
            offers.append(Offer(partner, "DECLINED", at))
        elif taken is not None or clock.known(expires) is not None:
            offers.append(Offer(partner, "EXPIRED", None))  # taken by another, or lapsed
        else:
            offers.append(Offer(partner, "PENDING", None))
    return offers
