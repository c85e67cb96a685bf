"""The partner rollups, checked against hand-computed rows for small raw data sets.

Timestamps carry explicit offsets; the importer's timezone is Europe/Copenhagen
(UTC+1 in January, UTC+2 in July) unless a test says otherwise.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from server.processing.partners import (
    TABLES,
    partner_days_touched_by_time,
    rebuild_partner_days,
)

AS_OF = date(2026, 2, 10)


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


class Raw:
    """Plain-SQL inserts of the raw rows one test needs."""

    def __init__(self, conn, importer_id: int) -> None:
        self.conn = conn
        self.importer_id = importer_id

    @classmethod
    async def create(cls, conn, ref: str = "imp", tz: str = "Europe/Copenhagen") -> Raw:
        importer_id = await _scalar(
            conn,
            "INSERT INTO importers (importer_ref, name, timezone, lead_due_days,"
            " lead_rating_enabled, customer_rating_enabled)"
            " VALUES (:ref, :ref, :tz, 30, true, true) RETURNING id",
            ref=ref,
            tz=tz,
        )
        return cls(conn, importer_id)

    async def partner(self, ref: str) -> int:
        return await _scalar(
            self.conn,
            "INSERT INTO sales_partners (importer_id, partner_ref, name, partner_since)"
            " VALUES (:imp, :ref, :ref, '2025-01-01') RETURNING id",
            imp=self.importer_id,
            ref=ref,
        )

    async def marketplace(self, ref: str) -> int:
        return await _scalar(
            self.conn,
            "INSERT INTO marketplaces (importer_id, marketplace_ref, name)"
            " VALUES (:imp, :ref, :ref) RETURNING id",
            imp=self.importer_id,
            ref=ref,
        )

    async def lead(self, ref: str, marketplace_id: int | None = None, exclusive=False) -> int:
        return await _scalar(
            self.conn,
            "INSERT INTO leads (importer_id, lead_ref, created_at, source, marketplace_id,"
            " exclusive) VALUES (:imp, :ref, '2026-01-01T00:00:00+00:00', :source, :mp,"
            " :exclusive) RETURNING id",
            imp=self.importer_id,
            ref=ref,
            source="DIRECT" if marketplace_id is None else "MARKETPLACE",
            mp=marketplace_id,
            exclusive=exclusive,
        )

    async def offer(self, lead: int, partner: int, offered: str, response: str, responded=None):
        await self.conn.execute(
            text(
                "INSERT INTO lead_offers (importer_id, lead_id, partner_id, offered_at,"
                " response, responded_at) VALUES (:imp, :lead, :partner, :offered,"
                " :response, :responded)"
            ),
            {
                "imp": self.importer_id,
                "lead": lead,
                "partner": partner,
                "offered": ts(offered),
                "response": response,
                "responded": ts(responded) if responded else None,
            },
        )

    async def event(self, lead: int, partner: int, kind: str, occurred: str, value=None):
        await self.conn.execute(
            text(
                "INSERT INTO lead_events (importer_id, lead_id, partner_id, occurred_at,"
                " kind, value) VALUES (:imp, :lead, :partner, :occurred, :kind, :value)"
            ),
            {
                "imp": self.importer_id,
                "lead": lead,
                "partner": partner,
                "occurred": ts(occurred),
                "kind": kind,
                "value": value,
            },
        )


async def _scalar(conn, sql: str, **params):
    return (await conn.execute(text(sql), params)).scalar_one()


async def rows(conn, table: str, importer_id: int) -> list[dict]:
    """The table's rows of one importer without the surrogate key, in a stable order."""
    result = await conn.execute(
        text(f"SELECT * FROM {table} WHERE importer_id = :imp"), {"imp": importer_id}
    )
    return ordered([{k: v for k, v in row.items() if k != "id"} for row in result.mappings()])


def ordered(found: list[dict]) -> list[dict]:
    return sorted(found, key=lambda r: [str(r[k]) for k in sorted(r)])


async def snapshot(conn, importer_id: int) -> dict[str, list[dict]]:
    return {table: await rows(conn, table, importer_id) for table in TABLES}


def offer_row(imp, partner, day, source="DIRECT", exclusive=False, mp=None, **counts):
    base = {"offers": 0, "accepted": 0, "declined": 0, "expired": 0}
    seconds = {"accept_seconds": 0.0, "decline_seconds": 0.0}
    return {
        "importer_id": imp,
        "partner_id": partner,
        "day": day,
        "source": source,
        "exclusive": exclusive,
        "marketplace_id": mp,
        **base,
        **seconds,
        **counts,
    }


def cohort_row(imp, partner, day, source="DIRECT", exclusive=False, mp=None, **counts):
    counted = ("cohort", "with_feedback", "won", "lost", "contacted", "closed")
    ratings = ("lead_rating_sum", "lead_ratings", "customer_rating_sum", "customer_ratings")
    zero = dict.fromkeys((*counted, *ratings), 0)
    seconds = dict.fromkeys(["feedback_seconds", "contact_seconds", "cycle_seconds"], 0.0)
    return {
        "importer_id": imp,
        "partner_id": partner,
        "day": day,
        "source": source,
        "exclusive": exclusive,
        "marketplace_id": mp,
        **zero,
        **seconds,
        **counts,
    }


def open_row(imp, partner, day, last_touch, leads=1, source="DIRECT", exclusive=False, mp=None):
    return {
        "importer_id": imp,
        "partner_id": partner,
        "day": day,
        "source": source,
        "exclusive": exclusive,
        "marketplace_id": mp,
        "last_touch_day": last_touch,
        "leads": leads,
    }


async def test_pending_offer_counts_as_offered_only(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        lead = await raw.lead("L1")
        await raw.offer(lead, p, "2026-01-10T09:00:00+01:00", "PENDING")
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await snapshot(conn, raw.importer_id)
    day = date(2026, 1, 10)
    assert got == {
        "partner_offer_day": [offer_row(raw.importer_id, p, day, offers=1)],
        "partner_cohort_day": [],
        "partner_open_leads": [],
        "partner_outflow_day": [],
    }


async def test_response_counts_and_seconds(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        offered = "2026-01-10T09:00:00+01:00"
        accepted, declined, expired = [await raw.lead(f"L{i}") for i in range(3)]
        await raw.offer(accepted, p, offered, "ACCEPTED", "2026-01-10T09:30:00+01:00")
        await raw.offer(declined, p, offered, "DECLINED", "2026-01-10T09:10:00+01:00")
        # An expired offer has no responded_at: it adds to no duration.
        await raw.offer(expired, p, offered, "EXPIRED")
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await rows(conn, "partner_offer_day", raw.importer_id)
    assert got == [
        offer_row(
            raw.importer_id,
            p,
            date(2026, 1, 10),
            offers=3,
            accepted=1,
            declined=1,
            expired=1,
            accept_seconds=1800.0,
            decline_seconds=600.0,
        )
    ]


async def test_expired_offer_without_responded_at(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        lead = await raw.lead("L1")
        await raw.offer(lead, p, "2026-01-10T09:00:00+01:00", "EXPIRED")
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await snapshot(conn, raw.importer_id)
    assert got["partner_offer_day"] == [
        offer_row(raw.importer_id, p, date(2026, 1, 10), offers=1, expired=1)
    ]
    assert got["partner_cohort_day"] == got["partner_open_leads"] == []
    assert got["partner_outflow_day"] == []


async def test_outflow_to_the_accepting_partner_for_marketplace_leads_only(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p, q, r = await raw.partner("p"), await raw.partner("q"), await raw.partner("r")
        mp = await raw.marketplace("m1")
        declined, expired, nobody = [await raw.lead(f"M{i}", mp) for i in range(3)]
        direct = await raw.lead("D1")
        offered = "2026-01-10T09:00:00+01:00"
        responded = "2026-01-10T10:00:00+01:00"
        await raw.offer(declined, p, offered, "DECLINED", responded)
        await raw.offer(declined, q, offered, "ACCEPTED", responded)
        await raw.offer(expired, p, offered, "EXPIRED")
        await raw.offer(expired, r, offered, "ACCEPTED", responded)
        await raw.offer(nobody, p, offered, "DECLINED", responded)
        await raw.offer(direct, p, offered, "DECLINED", responded)
        await raw.offer(direct, q, offered, "ACCEPTED", responded)
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await rows(conn, "partner_outflow_day", raw.importer_id)
    day = date(2026, 1, 10)
    base = {"importer_id": raw.importer_id, "day": day, "exclusive": False}
    assert got == ordered(
        [
            {**base, "partner_id": p, "marketplace_id": mp, "receiver_id": q, "leads": 1},
            {**base, "partner_id": p, "marketplace_id": mp, "receiver_id": r, "leads": 1},
        ]
    )


async def _accepted_then_lost(conn) -> tuple[Raw, int, int]:
    """A lead p accepted on 10 Jan (contact 11 Jan, feedback 12 and 20 Jan) and lost
    on 5 Feb; q's events on the same lead must never count for p."""
    raw = await Raw.create(conn)
    p, q = await raw.partner("p"), await raw.partner("q")
    lead = await raw.lead("L1")
    await raw.offer(lead, p, "2026-01-10T08:00:00+01:00", "ACCEPTED", "2026-01-10T09:00:00+01:00")
    await raw.event(lead, p, "FIRST_CONTACT", "2026-01-11T09:00:00+01:00")
    await raw.event(lead, p, "FEEDBACK", "2026-01-12T09:00:00+01:00")
    await raw.event(lead, p, "FEEDBACK", "2026-01-20T09:00:00+01:00")
    await raw.event(lead, p, "LOST", "2026-02-05T09:00:00+01:00")
    await raw.event(lead, q, "WON", "2026-01-15T09:00:00+01:00")
    return raw, p, lead


async def test_lead_lost_in_a_later_period_counts_for_its_acceptance_day(engine):
    async with engine.begin() as conn:
        raw, p, _ = await _accepted_then_lost(conn)
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await snapshot(conn, raw.importer_id)
    day = date(2026, 1, 10)
    assert got["partner_cohort_day"] == [
        cohort_row(
            raw.importer_id,
            p,
            day,
            cohort=1,
            with_feedback=1,
            feedback_seconds=2 * 86400.0,
            contacted=1,
            contact_seconds=86400.0,
            lost=1,
            closed=1,
            cycle_seconds=26 * 86400.0,
        )
    ]
    assert got["partner_open_leads"] == []


async def test_events_after_as_of_do_not_count(engine):
    async with engine.begin() as conn:
        raw, p, _ = await _accepted_then_lost(conn)
        as_of = date(2026, 1, 19)
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=as_of)
        got = await snapshot(conn, raw.importer_id)
    day = date(2026, 1, 10)
    assert got["partner_cohort_day"] == [
        cohort_row(
            raw.importer_id,
            p,
            day,
            cohort=1,
            with_feedback=1,
            feedback_seconds=2 * 86400.0,
            contacted=1,
            contact_seconds=86400.0,
        )
    ]
    # Still open; its latest feedback known at as-of is the one of 12 Jan.
    assert got["partner_open_leads"] == [open_row(raw.importer_id, p, day, date(2026, 1, 12))]


async def test_event_on_the_evening_of_as_of_counts_and_the_next_morning_not(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        won, lost = await raw.lead("W"), await raw.lead("L")
        for lead in (won, lost):
            await raw.offer(
                lead, p, "2026-01-10T08:00:00+01:00", "ACCEPTED", "2026-01-10T09:00+01:00"
            )
        # 23:30 local on as-of (22:30 UTC) is known; 00:30 local the day after is not.
        await raw.event(won, p, "WON", "2026-02-10T22:30:00+00:00")
        await raw.event(lost, p, "LOST", "2026-02-10T23:30:00+00:00")
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        cohort = await rows(conn, "partner_cohort_day", raw.importer_id)
    assert [(r["cohort"], r["won"], r["lost"], r["closed"]) for r in cohort] == [(2, 1, 0, 1)]


async def test_open_leads_last_touch_is_latest_feedback_or_acceptance(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        silent, touched, other = [await raw.lead(f"L{i}") for i in range(3)]
        accepted = ("2026-01-10T08:00:00+01:00", "ACCEPTED", "2026-01-10T09:00:00+01:00")
        for lead in (silent, touched, other):
            await raw.offer(lead, p, *accepted)
        await raw.event(touched, p, "FEEDBACK", "2026-01-12T09:00:00+01:00")
        await raw.event(touched, p, "FEEDBACK", "2026-01-25T09:00:00+01:00")
        await raw.event(touched, p, "FIRST_CONTACT", "2026-01-30T09:00:00+01:00")
        await raw.event(other, p, "FEEDBACK", "2026-01-25T21:00:00+01:00")
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await rows(conn, "partner_open_leads", raw.importer_id)
    day = date(2026, 1, 10)
    assert got == ordered(
        [
            open_row(raw.importer_id, p, day, day, leads=1),
            open_row(raw.importer_id, p, day, date(2026, 1, 25), leads=2),
        ]
    )


async def test_ratings_sum_and_count_every_rating_event(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        first, second = await raw.lead("L1"), await raw.lead("L2")
        for lead in (first, second):
            await raw.offer(
                lead, p, "2026-01-10T08:00:00+01:00", "ACCEPTED", "2026-01-10T09:00+01:00"
            )
        await raw.event(first, p, "LEAD_RATING", "2026-01-11T09:00:00+01:00", 4)
        await raw.event(first, p, "LEAD_RATING", "2026-01-12T09:00:00+01:00", 5)
        await raw.event(second, p, "LEAD_RATING", "2026-01-12T09:00:00+01:00", 2)
        await raw.event(second, p, "CUSTOMER_RATING", "2026-01-13T09:00:00+01:00", 3)
        await raw.event(second, p, "CUSTOMER_RATING", "2026-03-01T09:00:00+01:00", 1)
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await rows(conn, "partner_cohort_day", raw.importer_id)
    assert got == [
        cohort_row(
            raw.importer_id,
            p,
            date(2026, 1, 10),
            cohort=2,
            lead_rating_sum=11,
            lead_ratings=3,
            customer_rating_sum=3,
            customer_ratings=1,
        )
    ]


async def test_filter_dimensions_split_rows(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        m1, m2 = await raw.marketplace("m1"), await raw.marketplace("m2")
        leads = [
            await raw.lead("X1", m1, exclusive=True),
            await raw.lead("S1", m1),
            await raw.lead("S2", m2),
            await raw.lead("D1"),
            await raw.lead("D2"),
        ]
        for lead in leads:
            await raw.offer(
                lead, p, "2026-01-10T08:00:00+01:00", "ACCEPTED", "2026-01-10T09:00+01:00"
            )
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        offers = await rows(conn, "partner_offer_day", raw.importer_id)
        cohort = await rows(conn, "partner_cohort_day", raw.importer_id)
        open_leads = await rows(conn, "partner_open_leads", raw.importer_id)
    imp, day, hour = raw.importer_id, date(2026, 1, 10), 3600.0
    assert offers == ordered(
        [
            offer_row(imp, p, day, offers=2, accepted=2, accept_seconds=2 * hour),
            offer_row(
                imp, p, day, "MARKETPLACE", False, m1, offers=1, accepted=1, accept_seconds=hour
            ),
            offer_row(
                imp, p, day, "MARKETPLACE", False, m2, offers=1, accepted=1, accept_seconds=hour
            ),
            offer_row(
                imp, p, day, "MARKETPLACE", True, m1, offers=1, accepted=1, accept_seconds=hour
            ),
        ]
    )
    assert cohort == ordered(
        [
            cohort_row(imp, p, day, cohort=2),
            cohort_row(imp, p, day, "MARKETPLACE", False, m1, cohort=1),
            cohort_row(imp, p, day, "MARKETPLACE", False, m2, cohort=1),
            cohort_row(imp, p, day, "MARKETPLACE", True, m1, cohort=1),
        ]
    )
    assert open_leads == ordered(
        [
            open_row(imp, p, day, day, leads=2),
            open_row(imp, p, day, day, 1, "MARKETPLACE", False, m1),
            open_row(imp, p, day, day, 1, "MARKETPLACE", False, m2),
            open_row(imp, p, day, day, 1, "MARKETPLACE", True, m1),
        ]
    )


@pytest.mark.parametrize(
    ("instant", "local_day"),
    [
        ("2026-01-10T23:30:00+00:00", date(2026, 1, 11)),  # CET, UTC+1
        ("2026-01-10T22:59:59+00:00", date(2026, 1, 10)),
        ("2025-07-10T22:30:00+00:00", date(2025, 7, 11)),  # CEST, UTC+2
    ],
)
async def test_day_is_the_local_day_of_the_importer(engine, instant, local_day):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p, q = await raw.partner("p"), await raw.partner("q")
        mp = await raw.marketplace("m1")
        lead = await raw.lead("L1", mp)
        await raw.offer(lead, p, instant, "ACCEPTED", instant)
        await raw.offer(lead, q, instant, "DECLINED", instant)
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await snapshot(conn, raw.importer_id)
    assert {r["day"] for table in TABLES for r in got[table]} == {local_day}
    assert got["partner_open_leads"][0]["last_touch_day"] == local_day


async def test_days_after_as_of_are_not_written(engine):
    async with engine.begin() as conn:
        raw = await Raw.create(conn)
        p = await raw.partner("p")
        before, after = await raw.lead("L1"), await raw.lead("L2")
        await raw.offer(
            before, p, "2026-02-10T23:00:00+01:00", "ACCEPTED", "2026-02-10T23:30+01:00"
        )
        await raw.offer(after, p, "2026-02-11T00:00:00+01:00", "ACCEPTED", "2026-02-11T00:30+01:00")
        await rebuild_partner_days(conn, importer_id=raw.importer_id, days=None, as_of=AS_OF)
        got = await snapshot(conn, raw.importer_id)
    for table in TABLES:
        assert {r["day"] for r in got[table]} <= {AS_OF}
    assert [r["offers"] for r in got["partner_offer_day"]] == [1]
    assert [r["cohort"] for r in got["partner_cohort_day"]] == [1]


async def _two_days(conn) -> tuple[Raw, int, int]:
    raw = await Raw.create(conn)
    p, q = await raw.partner("p"), await raw.partner("q")
    mp = await raw.marketplace("m1")
    for i, day in enumerate(("2026-01-10", "2026-01-20")):
        lead = await raw.lead(f"L{i}", mp)
        await raw.offer(lead, p, f"{day}T08:00:00+01:00", "EXPIRED")
        await raw.offer(lead, q, f"{day}T08:00:00+01:00", "ACCEPTED", f"{day}T09:00:00+01:00")
        await raw.event(lead, q, "FEEDBACK", f"{day}T12:00:00+01:00")
    return raw, p, q


async def test_rebuilding_some_days_leaves_other_days_untouched(engine):
    async with engine.begin() as conn:
        raw, p, q = await _two_days(conn)
        imp = raw.importer_id
        await rebuild_partner_days(conn, importer_id=imp, days=None, as_of=AS_OF)
        ids_before = await conn.execute(text("SELECT id FROM partner_cohort_day ORDER BY day"))
        kept_id = ids_before.scalars().all()[1]
        # Both days change in the raw data; only 10 Jan is rebuilt.
        for i, day in enumerate(("2026-01-10", "2026-01-20")):
            lead = await raw.lead(f"N{i}")
            await raw.offer(lead, q, f"{day}T08:00:00+01:00", "ACCEPTED", f"{day}T10:00:00+01:00")
        await rebuild_partner_days(conn, importer_id=imp, days=[date(2026, 1, 10)], as_of=AS_OF)
        cohort = await rows(conn, "partner_cohort_day", imp)
        offers = await rows(conn, "partner_offer_day", imp)
        still = await conn.execute(
            text("SELECT id FROM partner_cohort_day WHERE day = '2026-01-20'")
        )
        outflow = await rows(conn, "partner_outflow_day", imp)
    assert [(r["day"], r["source"], r["cohort"]) for r in cohort] == [
        (date(2026, 1, 10), "DIRECT", 1),
        (date(2026, 1, 10), "MARKETPLACE", 1),
        (date(2026, 1, 20), "MARKETPLACE", 1),
    ]
    assert still.scalars().all() == [kept_id]
    assert sum(r["offers"] for r in offers) == 5
    assert [(r["day"], r["partner_id"], r["receiver_id"]) for r in outflow] == [
        (date(2026, 1, 10), p, q),
        (date(2026, 1, 20), p, q),
    ]


async def test_rebuilding_twice_gives_identical_rows(engine):
    async with engine.begin() as conn:
        raw, _, _ = await _two_days(conn)
        imp = raw.importer_id
        await rebuild_partner_days(conn, importer_id=imp, days=None, as_of=AS_OF)
        first = await snapshot(conn, imp)
        await rebuild_partner_days(conn, importer_id=imp, days=None, as_of=AS_OF)
        await rebuild_partner_days(conn, importer_id=imp, days=[date(2026, 1, 20)], as_of=AS_OF)
        second = await snapshot(conn, imp)
    assert first == second
    assert sum(len(v) for v in first.values()) == 10


async def test_all_days_equals_every_day_rebuilt_explicitly(engine):
    async with engine.begin() as conn:
        raw, _, _ = await _two_days(conn)
        extra, p = await raw.lead("late"), await raw.partner("late")
        await raw.offer(extra, p, "2026-01-31T23:30:00+00:00", "ACCEPTED", "2026-02-01T10:00+01:00")
        await raw.event(extra, p, "WON", "2026-02-09T10:00+01:00")
        imp = raw.importer_id
        await rebuild_partner_days(conn, importer_id=imp, days=None, as_of=AS_OF)
        everything = await snapshot(conn, imp)
        for table in TABLES:
            await conn.execute(text(f"DELETE FROM {table}"))
        every_day = [date(2025, 12, 1) + timedelta(days=n) for n in range(80)]
        await rebuild_partner_days(conn, importer_id=imp, days=every_day, as_of=AS_OF)
        day_by_day = await snapshot(conn, imp)
    assert everything == day_by_day
    assert {r["day"] for r in everything["partner_cohort_day"]} == {
        date(2026, 1, 10),
        date(2026, 1, 20),
        date(2026, 2, 1),
    }


async def test_rebuild_never_touches_another_importer(engine):
    async with engine.begin() as conn:
        first, _, _ = await _two_days(conn)
        other = await Raw.create(conn, ref="other")
        p = await other.partner("p")
        lead = await other.lead("L1")
        await other.offer(lead, p, "2026-01-10T08:00:00+01:00", "PENDING")
        await rebuild_partner_days(conn, importer_id=other.importer_id, days=None, as_of=AS_OF)
        theirs = await snapshot(conn, other.importer_id)
        await rebuild_partner_days(conn, importer_id=first.importer_id, days=None, as_of=AS_OF)
        await rebuild_partner_days(
            conn, importer_id=first.importer_id, days=[date(2026, 1, 10)], as_of=AS_OF
        )
        assert await snapshot(conn, other.importer_id) == theirs
        mine = await snapshot(conn, first.importer_id)
    assert theirs["partner_offer_day"] == [
        offer_row(other.importer_id, p, date(2026, 1, 10), offers=1)
    ]
    assert sum(r["offers"] for r in mine["partner_offer_day"]) == 4


async def test_days_touched_by_time_are_acceptance_days_of_newly_known_events(engine):
    async with engine.begin() as conn:
        raw, _, _ = await _accepted_then_lost(conn)
        q = await raw.partner("q2")
        other = await raw.lead("L2")
        await raw.offer(other, q, "2026-01-03T08:00:00+01:00", "ACCEPTED", "2026-01-04T09:00+01:00")
        await raw.event(other, q, "FEEDBACK", "2026-01-30T23:30:00+01:00")
        imp = raw.importer_id

        async def touched(after, as_of):
            return await partner_days_touched_by_time(
                conn, importer_id=imp, after=after, as_of=as_of
            )

        # p's LOST on 5 Feb; q's FEEDBACK late on 30 Jan; the WON by q on p's lead
        # (15 Jan) is not an event of the accepting partner.
        assert await touched(date(2026, 2, 4), date(2026, 2, 5)) == [date(2026, 1, 10)]
        assert await touched(date(2026, 2, 5), AS_OF) == []
        assert await touched(date(2026, 1, 29), date(2026, 1, 30)) == [date(2026, 1, 4)]
        assert await touched(date(2026, 1, 14), date(2026, 1, 16)) == []
        assert await touched(None, AS_OF) == [date(2026, 1, 4), date(2026, 1, 10)]
        # Rebuilding the touched day brings the newly known LOST in.
        await rebuild_partner_days(conn, importer_id=imp, days=None, as_of=date(2026, 2, 4))
        await rebuild_partner_days(conn, importer_id=imp, days=[date(2026, 1, 10)], as_of=AS_OF)
        cohort = await rows(conn, "partner_cohort_day", imp)
    assert [(r["day"], r["lost"]) for r in cohort] == [
        (date(2026, 1, 4), 0),
        (date(2026, 1, 10), 1),
    ]


async def test_empty_day_list_changes_nothing(engine):
    async with engine.begin() as conn:
        raw, _, _ = await _two_days(conn)
        imp = raw.importer_id
        await rebuild_partner_days(conn, importer_id=imp, days=None, as_of=AS_OF)
        before = await snapshot(conn, imp)
        await rebuild_partner_days(conn, importer_id=imp, days=[], as_of=AS_OF)
        assert await snapshot(conn, imp) == before
