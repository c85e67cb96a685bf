"""Both demo importers, generated in dependency order into one data set."""

from __future__ import annotations

from datetime import date

from server.demo._app_usage import add_app_activity
from server.demo._clock import Clock
from server.demo._engagement import add_campaigns, add_chats, add_staff_activity
from server.demo._fleet import simulate_visits
from server.demo._funnel import simulate_activations
from server.demo._kinds import Dataset
from server.demo._leads import add_leads
from server.demo._profiles import TenantSpec
from server.demo._reference import add_reference
from server.demo._scale import DemoScale
from server.demo._tenants import demo_tenant, other_tenant


def _tenant(spec: TenantSpec, end: date, seed: int) -> Dataset:
    # Each part draws from its own seeded stream, so changing one part of the
    # simulation leaves the numbers of the others as they were.
    clock = Clock.ending(spec.timezone, end, spec.days)
    data = Dataset()
    add_reference(spec, data)
    visits = simulate_visits(spec, clock, data, seed)
    activations = simulate_activations(spec, clock, data, visits, seed)
    add_app_activity(spec, clock, data, activations, seed)
    add_chats(spec, clock, data, seed)
    add_staff_activity(spec, clock, data, seed)
    add_campaigns(spec, clock, data, seed)
    add_leads(spec, clock, data, seed)
    return data


def generate(end: date, scale: DemoScale, seed: int) -> Dataset:
    data = _tenant(demo_tenant(scale, end, seed), end, seed)
    data.extend(_tenant(other_tenant(end, seed), end, seed))
    return data
