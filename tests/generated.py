"""Random but reproducible raw data for property tests: one importer with a few
workshops, ~70 days of every workshop fact, written with plain SQL (no product
code), including the traps (late-evening UTC departures, activations around the
7-day grace, deactivations, excluded vehicles, users active on several days)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from tests.oracle import fixtures as f


@dataclass(frozen=True)
class Generated:
    importer_id: int
    workshops: dict[str, int]  # ref -> id
    first_day: date
    last_day: date


def _instant(rng: random.Random, day: date) -> datetime:
    # hours 20-23 UTC land on the next local day in Europe/Copenhagen
    hour = rng.choice([6, 9, 12, 15, 20, 22, 23])
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=UTC)


# (make, include, model, year_from, year_to) of the default rule set
Rule = tuple[str, bool, str | None, int | None, int | None]
RULES: tuple[Rule, ...] = (("brand", True, None, None, None), ("Brand", False, None, None, 2014))


async def generate(
    conn: AsyncConnection,
    seed: int,
    *,
    last_day: date,
    days: int = 70,
    ref: str = "imp",
    timezone: str = "Europe/Copenhagen",
    rules: tuple[Rule, ...] = RULES,
) -> Generated:
    rng = random.Random(seed)
    first = last_day - timedelta(days=days - 1)
    imp = await f.insert_importer(conn, ref=ref, timezone=timezone, connection_rate_goal=0.5)
    workshops = {
        f"w{n}": await f.insert_workshop(conn, imp, ref=f"{ref}-w{n}" if ref != "imp" else f"w{n}")
        for n in range(1, 6)
    }
    for make, include, model, year_from, year_to in rules:
        await f.insert_rule(
            conn, imp, make, include=include, model=model, year_from=year_from, year_to=year_to
        )
    vehicles = [
        await f.insert_vehicle(
            conn, imp, rng.choice(["Brand", "BRAND", "Other"]), "X", rng.randint(2010, 2024)
        )
        for _ in range(90)
    ]
    ids = list(workshops.values())
    for _ in range(320):
        w, v = rng.choice(ids), rng.choice(vehicles)
        day = first + timedelta(days=rng.randrange(days))
        arrived = _instant(rng, day)
        departed = (
            arrived + timedelta(hours=rng.choice([1, 5, 30])) if rng.random() < 0.93 else None
        )
        await f.insert_visit(conn, w, v, arrived, departed)
        if departed is not None and rng.random() < 0.5:
            delay = timedelta(hours=rng.choice([-30, 2, 100, 167, 168, 169, 200]))
            deactivated = (
                departed + timedelta(hours=rng.choice([-2, 48])) if rng.random() < 0.2 else None
            )
            await f.insert_activation(
                conn,
                rng.choice(ids),
                v,
                departed - timedelta(hours=40 + rng.randrange(1000)),
                departed + delay,
                deactivated,
            )
    for _ in range(150):
        w, day = rng.choice(ids), first + timedelta(days=rng.randrange(days))
        started = _instant(rng, day)
        answered = (
            started + timedelta(seconds=rng.randrange(60, 90000)) if rng.random() < 0.7 else None
        )
        await f.insert_chat(conn, w, started, rng.randint(1, 30), answered)
        if rng.random() < 0.5:
            await f.insert_lead(conn, imp, _instant(rng, day), workshop_id=w)
        if rng.random() < 0.2:
            await f.insert_campaign(conn, w, _instant(rng, day), rng.randint(10, 500))
    seen: set[tuple[int, str, date]] = set()
    for _ in range(400):
        w, day = rng.choice(ids), first + timedelta(days=rng.randrange(days))
        staff, app = f"u{rng.randrange(12)}", f"a{rng.randrange(40)}"
        if (w, staff, day) not in seen:
            seen.add((w, staff, day))
            await f.insert_staff_activity(conn, w, staff, day, rng.randint(1, 20))
        if (w, app, day) not in seen:
            seen.add((w, app, day))
            await f.insert_app_activity(conn, w, app, day)
    return Generated(imp, workshops, first, last_day)
