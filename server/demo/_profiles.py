"""The behaviour of each simulated actor: what differs between one workshop,
partner or vehicle line and the next is written down here, once, as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WorkshopProfile:
    ref: str
    name: str
    city: str
    visits_per_day: float  # on an ordinary weekday, before the scale factor
    goal: float | None  # its own connection-rate goal, overriding the importer's
    invite_share: float  # share of departing, eligible, unconnected cars invited
    activation_share: float  # share of invited customers who complete the flow
    response_minutes: float  # median time to answer a chat
    staff: int
    staff_engagement: float  # chance a staff member uses the platform on a weekday
    campaigns_per_month: float
    feed_lag_days: int = 0  # the dealer system delivers visits only up to end - lag
    dormant_days: int = 0  # staff stopped using the platform this many days ago


@dataclass(frozen=True)
class PartnerProfile:
    ref: str
    name: str
    workshop_ref: str | None
    since: date
    weight: float  # how often the importer picks this partner for an offer
    accept_share: float
    decline_share: float  # the rest of the offers are left to expire
    response_hours: float  # median time to answer an offer
    contact_hours: float  # median time from acceptance to first customer contact
    feedback_share: float  # share of accepted leads with any feedback
    feedback_persistence: float  # chance each feedback is followed by another
    close_share: float  # share of accepted leads that end WON or LOST
    win_share: float
    cycle_days: float  # median sales cycle


@dataclass(frozen=True)
class VehicleLine:
    """One make as the dealer systems send it (spellings vary in case)."""

    make: str
    spellings: tuple[tuple[str, float], ...]
    wmi: str  # the first three VIN characters
    models: tuple[str, ...]
    share: float
    oldest_year: int


@dataclass(frozen=True)
class Rule:
    make: str
    include: bool
    model: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    def matches(self, make: str, model: str, year: int) -> bool:
        return (
            self.make.casefold() == make.casefold()
            and (self.model is None or self.model == model)
            and (self.year_from is None or year >= self.year_from)
            and (self.year_to is None or year <= self.year_to)
        )


def eligible(rules: tuple[Rule, ...], make: str, model: str, year: int) -> bool:
    """DOMAIN.md eligibility: some include rule (or none exist) and no exclude."""
    includes = [rule for rule in rules if rule.include]
    if any(rule.matches(make, model, year) for rule in rules if not rule.include):
        return False
    return not includes or any(rule.matches(make, model, year) for rule in includes)


@dataclass(frozen=True)
class TenantSpec:
    importer_ref: str
    name: str
    timezone: str
    goal: float | None
    lead_due_days: int
    lead_rating: bool
    customer_rating: bool
    prefix: str  # starts every reference, so references never clash across importers
    vin_plant: str  # VIN position 11; keeps VINs of different importers apart
    days: int
    factor: float
    workshops: tuple[WorkshopProfile, ...]
    partners: tuple[PartnerProfile, ...]
    marketplaces: tuple[tuple[str, str], ...]  # (ref, name)
    rules: tuple[Rule, ...]
    lines: tuple[VehicleLine, ...]
    importer_leads_per_day: float  # leads from the importer's own channels
